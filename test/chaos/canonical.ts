import { createHash } from 'node:crypto'

/**
 * Content hashes that do not depend on key order: jsonb keeps its own key order, so a record read
 * back from `_raw` and the same record read from the source must hash alike.
 */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (typeof value !== 'object' || value === null) return value
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]))
}

export const canonicalJson = (value: unknown) => JSON.stringify(canonical(value))

export const contentHash = (value: unknown) =>
  createHash('sha1').update(canonicalJson(value)).digest('base64').slice(0, 20)
