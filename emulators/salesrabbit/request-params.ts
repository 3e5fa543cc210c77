import type { IncomingMessage } from 'node:http'
import { z } from 'zod'
import { HttpError } from '../shared/http.ts'
import { lowerBoundTimestamp, parseInstant } from './timestamps.ts'

export const MAX_PAGE_SIZE = 2000

const integer = z
  .string()
  .trim()
  .regex(/^[+-]?\d+$/, 'must be an integer')
  .transform(Number)

/**
 * The paging query. Integrations disagree on the page-size name (`perPage`, `limit`, `pageSize`),
 * so all three are accepted, in that order of precedence; the size is capped at the real
 * API's 2000 rather than refused, and page 0 (or below) means the first page.
 */
const pagingQuery = z.object({
  page: integer.optional(),
  perPage: integer.optional(),
  limit: integer.optional(),
  pageSize: integer.optional(),
})

export interface Paging {
  page: number
  size: number
}

export function parsePaging(params: URLSearchParams): Paging {
  const parsed = pagingQuery.safeParse(Object.fromEntries(params))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new HttpError(400, `Invalid query parameter ${String(issue.path[0])}: ${issue.message}`)
  }
  const { page, perPage, limit, pageSize } = parsed.data
  const size = perPage ?? limit ?? pageSize ?? MAX_PAGE_SIZE
  if (size < 1) throw new HttpError(400, 'Invalid query parameter: the page size must be at least 1')
  return { page: Math.max(1, page ?? 1), size: Math.min(size, MAX_PAGE_SIZE) }
}

/**
 * The If-Modified-Since header as the lower bound of dateModified, in stored form, or undefined
 * when absent (or ignored, to emulate an API that does not filter server-side).
 */
export function parseModifiedSince(req: IncomingMessage, honor: boolean): string | undefined {
  const header = req.headers['if-modified-since']
  if (header === undefined || !honor) return undefined
  const ms = parseInstant(header)
  if (ms === undefined) {
    const hint = 'use the form 2025-06-01T00:00:00+00:00'
    throw new HttpError(400, `Invalid If-Modified-Since header ${JSON.stringify(header)}: ${hint}`)
  }
  return lowerBoundTimestamp(ms)
}

/** The token from `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
  return match?.[1]
}
