import type { Queryable } from '../types.ts'

/**
 * The runs over time, for the dashboard's timeline and a stream's trends: one statement per
 * function, each bounded by the window asked for and by a row limit, so thousands of runs in a
 * window cost one indexed scan and a page of bounded size.
 */
export interface SqlWindow {
  /** null: from the first run */
  since: Date | null
  /** null: up to now */
  until: Date | null
}

export interface DbTimelineRun {
  id: number
  source: string
  stream: string
  mode: string
  status: string
  started_at: Date
  /** when it finished; a running run's is now (the warehouse's clock) */
  ended_at: Date
  fetched: number
  error_code: string | null
  /** a dry run: it read and wrote nothing (drawn all the same: it ran, and held the stream) */
  dry_run: boolean
}

/**
 * The runs that overlap the window (started before its end, still going or ended after its start),
 * newest first, at most `limit`. Callers ask one more than they show, to know when they cut.
 */
export async function listRunsOverlapping(db: Queryable, window: SqlWindow, limit: number): Promise<DbTimelineRun[]> {
  const { rows } = await db.query<DbTimelineRun>(
    `SELECT id, source, stream, mode, status, started_at,
       coalesce(finished_at, CASE WHEN status = 'running' THEN now() ELSE heartbeat_at END) AS ended_at, fetched::float8 AS fetched, error_code, dry_run
     FROM crmsync.sync_runs
     WHERE ($2::timestamptz IS NULL OR started_at < $2)
       -- three indexed conditions (started_at, finished_at, the running runs), not one over every older run
       AND ($1::timestamptz IS NULL OR started_at >= $1 OR finished_at >= $1 OR status = 'running')
     ORDER BY started_at DESC, id DESC LIMIT $3`,
    [window.since, window.until, limit],
  )
  return rows
}

export interface DbRunTrend {
  id: number
  status: string
  mode: string
  started_at: Date
  duration_ms: number
  fetched: number
  inserted: number
  updated: number
}

/** A stream's finished runs started in the window, oldest first: the latest `limit` of them (dry runs wrote nothing, and are left out). */
export async function streamRunTrend(db: Queryable, source: string, stream: string, window: SqlWindow, limit: number): Promise<DbRunTrend[]> {
  const { rows } = await db.query<DbRunTrend>(
    `SELECT * FROM (
       SELECT id, status, mode, started_at, duration_ms::float8 AS duration_ms, fetched::float8 AS fetched,
         inserted::float8 AS inserted, updated::float8 AS updated
       FROM crmsync.sync_runs
       WHERE source = $1 AND stream = $2 AND status <> 'running' AND duration_ms IS NOT NULL
         AND ($3::timestamptz IS NULL OR started_at >= $3) AND ($4::timestamptz IS NULL OR started_at < $4) AND NOT dry_run
       ORDER BY started_at DESC LIMIT $5) latest
     ORDER BY started_at`,
    [source, stream, window.since, window.until, limit],
  )
  return rows
}

/** When the first run started (null: none yet): where "all time" begins for the charts. */
export async function firstRunStartedAt(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(`SELECT min(started_at) AS at FROM crmsync.sync_runs`)
  return rows[0]?.at ?? null
}
