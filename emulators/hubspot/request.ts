import { z } from 'zod'
import { unknownObjectType, validationError } from './errors.ts'
import { findObjectSpec, type ObjectSpec } from './object-types.ts'
import { decodeCursor } from './render.ts'

/** Small request helpers shared by the route files. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body)
  if (!parsed.success) throw validationError(`Invalid input JSON: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

export function requireSpec(segment: string): ObjectSpec {
  const spec = findObjectSpec(segment)
  if (!spec) throw unknownObjectType(segment)
  return spec
}

/** a positive integer query or body value, or the default when absent */
export function parseLimit(raw: string | number | null | undefined, fallback: number): number {
  if (raw === null || raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw validationError(`limit must be a positive integer, got "${raw}"`)
  return n
}

export const isTrue = (value: string | null) => value?.toLowerCase() === 'true'

/** `inputs: [{id}]`, ids as strings whichever way they came */
export const idList = z.array(z.looseObject({ id: z.union([z.string(), z.number()]).transform(String) }))

/** the id a list's `after` token points at; no token starts at the beginning */
export function parseAfterId(raw: string | null | undefined): number {
  if (!raw) return 0
  const id = decodeCursor(raw)
  if (id === undefined) throw validationError(`Invalid "after" value: ${raw}`)
  return id
}
