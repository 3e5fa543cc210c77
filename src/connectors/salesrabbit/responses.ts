import { z } from 'zod'

/**
 * What SalesRabbit answers, validated at the boundary. A list answer is the envelope
 * `{data:[…], meta:{currentPage, morePages, resultsPerPage}}` (observed on a real response); the
 * records themselves stay `unknown` here, since one broken record must become a reject, not fail
 * its whole page.
 */
export const pageEnvelopeSchema = z.object({
  data: z.array(z.unknown()),
  meta: z.object({
    currentPage: z.coerce.number().int(),
    morePages: z.boolean(),
    resultsPerPage: z.coerce.number().int().nonnegative(),
  }),
})

export type PageEnvelope = z.infer<typeof pageEnvelopeSchema>

// the real error shape is not public: the emulator's {error:{message}}, and the common alternatives
const errorBodySchema = z.union([
  z.object({ error: z.object({ message: z.string() }) }),
  z.object({ error: z.string() }),
  z.object({ message: z.string() }),
])

/** The message an error answer carries, in one short line (never the request's headers). */
export function errorMessageOf(text: string): string {
  let message = text
  try {
    const body = errorBodySchema.safeParse(JSON.parse(text))
    if (body.success) {
      const b = body.data
      message = 'message' in b ? b.message : typeof b.error === 'string' ? b.error : b.error.message
    }
  } catch {
    // not JSON: an HTML page from a proxy, or nothing; the text itself is the best clue
  }
  message = message.replace(/\s+/g, ' ').trim()
  return message.length > 300 ? `${message.slice(0, 300)}…` : message || '(empty body)'
}

