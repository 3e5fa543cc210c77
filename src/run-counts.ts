/**
 * The counts of a run and of each of its pages, named once. A neutral module (like `columns.ts`):
 * the engine counts them (`RunSummary`, a page's `PageCounts`), the warehouse keeps them (columns of
 * crmsync.sync_runs and crmsync.run_pages of the same names), and the surfaces show them (`sync
 * --json`, `history --json`, the dashboard's API and live feed, /metrics); neither side imports the
 * other for them (docs/design.md §1). Every JSON shape lists them in this order, under these names.
 *
 * - `fetched`: records the source sent, valid or not
 * - `inserted`, `updated`, `unchanged`: rows the merge wrote new, overwrote, or skipped (same hash)
 * - `rejected`: records not written (crmsync.rejects says why)
 * - `coerced`: records stored with a field nulled because it did not fit its column (see `_meta`,
 *   docs/design.md §3.11); also counted as inserted, updated or unchanged
 * - `deleted`: rows soft-deleted (a full pass, or the source's own deletions)
 */
export const RUN_COUNTS = ['fetched', 'inserted', 'updated', 'unchanged', 'rejected', 'coerced', 'deleted'] as const
export type RunCountName = (typeof RUN_COUNTS)[number]
export type RunCounts = Record<RunCountName, number>

/**
 * The counts `from` carries (a summary, a row of sync_runs or run_pages, an event's totals), as
 * numbers (a missing or NULL one is 0), in `RUN_COUNTS` order; `names` picks some, in their order.
 */
export function countsOf<N extends RunCountName = RunCountName>(from: Partial<Record<RunCountName, unknown>>, names: readonly N[] = RUN_COUNTS as readonly RunCountName[] as readonly N[]): Record<N, number> {
  const counts = {} as Record<N, number>
  for (const name of names) counts[name] = Number(from[name] ?? 0)
  return counts
}

/** Every count 0. */
export const zeroRunCounts = (): RunCounts => countsOf({})
