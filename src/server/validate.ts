import { HTTPException } from 'hono/http-exception'
import type { z } from 'zod'

/** Parses a query string or body with zod; a bad one is a 400 naming every problem. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ')
  throw new HTTPException(400, { message: `bad ${what}: ${problems}` })
}

/** A positive integer path parameter (a run or alert id), or 404. */
export function idParam(value: string | undefined, what: string): number {
  if (!value || !/^\d{1,15}$/.test(value) || Number(value) < 1) throw new HTTPException(404, { message: `there is no ${what} ${JSON.stringify(value ?? '')}` })
  return Number(value)
}
