import { z } from 'zod'
import { RUN_STATUSES } from '../engine/run-state.ts'
import type { RunFilter } from '../warehouse/sql/runs.ts'

export const RANGES = { '1h': 3600, '24h': 86_400, '7d': 7 * 86_400, '30d': 30 * 86_400 } as const

// a time without a zone (what <input type="datetime-local"> sends) is read as UTC, like every time shown
const utc = (v: string) => Date.parse(/[Zz]$|[+-]\d{2}:?\d{2}$/.test(v) || /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : `${v}Z`)
const instant = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(utc(v)), 'must be an ISO-8601 date or time, like 2026-01-31 or 2026-01-31T10:00:00Z')
  .transform((v) => new Date(utc(v)).toISOString())

/** The run history's filters and paging, from a query string (the page's form, or the API). */
export const runQuerySchema = z
  .object({
    source: z.string().max(100).optional(),
    stream: z.string().max(200).optional(),
    status: z.enum(RUN_STATUSES).optional(),
    range: z.enum(['1h', '24h', '7d', '30d', 'all']).optional(),
    since: instant.optional(),
    until: instant.optional(),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).optional(),
  })
  .strict()

export type RunQuery = z.infer<typeof runQuerySchema>

/** Drops empty parameters (a form's "any" choice) before validation. */
export const nonEmpty = (query: Record<string, string>) => Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''))

export function runFilter(q: RunQuery, now = Date.now()): RunFilter {
  const since = q.since ?? (q.range && q.range !== 'all' ? new Date(now - RANGES[q.range] * 1000).toISOString() : undefined)
  return {
    source: q.source,
    stream: q.stream,
    status: q.status,
    since,
    until: q.until,
    limit: q.limit,
    offset: q.offset ?? (q.page - 1) * q.limit,
  }
}
