import { z } from 'zod'
import { RUN_STATUSES } from '../engine/run-state.ts'
import type { RunFilter } from '../warehouse/sql/runs.ts'
import { rangeFields, resolveWindow, windowInOrder } from './time-range.ts'

/** The run history's filters and paging, from a query string (the page's form, or the API). */
export const runQuerySchema = z
  .object({
    source: z.string().max(100).optional(),
    stream: z.string().max(200).optional(),
    status: z.enum(RUN_STATUSES).optional(),
    ...rangeFields,
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).optional(),
  })
  .strict()
  .superRefine(windowInOrder)

export type RunQuery = z.infer<typeof runQuerySchema>

/** Drops empty parameters (a form's "any" choice) before validation. */
export const nonEmpty = (query: Record<string, string>) => Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''))

export function runFilter(q: RunQuery, now = Date.now()): RunFilter {
  // the history shows every run unless a range is chosen
  const window = resolveWindow(q, 'all', now)
  return {
    source: q.source,
    stream: q.stream,
    status: q.status,
    since: window.since?.toISOString(),
    until: window.until?.toISOString(),
    limit: q.limit,
    offset: q.offset ?? (q.page - 1) * q.limit,
  }
}
