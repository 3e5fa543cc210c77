/**
 * How long to wait before asking Athena again whether a query finished, `waitedMs` after it
 * started. GetQueryExecution is cheap and its quota generous, and the run learns that a query
 * finished only at the next poll: from ~80 ms on a tenth of the time waited so far (at least 50 ms,
 * at most `maxPollMs`) finds a query at most ~10% after it finished (a ×1.25 schedule found a
 * 2.0 s query at 2.6 s). Before that the waits start at 10 ms and grow: a small incremental
 * query (the emulator answers one in a few ms) is seen done within ~10-25 ms rather than at the
 * first 50 ms poll, for two or three more calls per query.
 */
export function pollWaitMs(waitedMs: number, maxPollMs: number): number {
  const floor = Math.min(50, 10 + waitedMs / 2)
  return Math.min(Math.max(floor, waitedMs / 10), maxPollMs)
}
