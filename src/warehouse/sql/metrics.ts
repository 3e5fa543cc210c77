import { RUN_COUNTS, type RunCounts } from '../../run-counts.ts'
import type { Queryable } from '../types.ts'

// the few warehouse reads a Prometheus scrape makes; each is small (a row per source, per stream or
// per alert rule) because a scrape runs every 15 to 60 s for as long as the process lives

export interface DbBreakerState {
  source: string
  state: string
}

export async function listBreakerStates(db: Queryable): Promise<DbBreakerState[]> {
  const { rows } = await db.query<DbBreakerState>(`SELECT source, state FROM crmsync.circuit_breakers`)
  return rows
}

export interface DbAlertCount {
  rule: string
  severity: string
  status: string
  count: number
}

/** Unresolved alerts, counted by rule, severity and status (open or acknowledged). */
export async function countUnresolvedAlerts(db: Queryable): Promise<DbAlertCount[]> {
  const { rows } = await db.query<DbAlertCount>(
    `SELECT rule, severity, status, count(*)::int AS count FROM crmsync.alerts
     WHERE status IN ('open', 'acknowledged') GROUP BY rule, severity, status`,
  )
  return rows
}

export interface DbLastSuccess {
  source: string
  stream: string
  /** unix time in seconds */
  at: number
}

export async function listLastSuccesses(db: Queryable): Promise<DbLastSuccess[]> {
  const { rows } = await db.query<DbLastSuccess>(
    `SELECT source, stream, extract(epoch FROM last_success_at)::float8 AS at FROM crmsync.stream_state
     WHERE last_success_at IS NOT NULL`,
  )
  return rows
}

/** One group of crmsync.sync_runs: a stream, a status and a duration bucket, with its sums (`RUN_COUNTS`). */
export interface DbRunTotals extends RunCounts {
  source: string
  stream: string
  status: string
  /** index of the first bound the duration fits under (bounds.length: above all); null while running or untimed */
  bucket: number | null
  runs: number
  seconds: number
}

/**
 * Every run ever recorded, by every process, summed by stream, status and duration bucket: one
 * aggregate per scrape, an index-only scan of sync_runs_totals_idx. Rows of running runs count too
 * (pages are added as they commit), so the totals move while a long run progresses.
 */
export async function sumRunHistory(db: Queryable, boundsMs: readonly number[]): Promise<DbRunTotals[]> {
  // width_bucket counts the bounds <= its operand; a duration d fits under bound b when d <= b, and
  // durations are whole milliseconds, so the bounds below d are the bounds <= d - 1
  const { rows } = await db.query<DbRunTotals>(
    `SELECT source, stream, status,
       CASE WHEN status = 'running' OR duration_ms IS NULL THEN NULL ELSE width_bucket(duration_ms - 1, $1::bigint[]) END AS bucket,
       count(*)::float8 AS runs, coalesce(sum(duration_ms), 0)::float8 / 1000 AS seconds,
       ${RUN_COUNTS.map((c) => `sum(${c})::float8 AS ${c}`).join(', ')}
     FROM crmsync.sync_runs GROUP BY 1, 2, 3, 4`,
    [boundsMs],
  )
  return rows
}
