import type { Queryable } from '../types.ts'

export interface DbSchedule {
  id: number
  source: string
  stream: string | null
  every_seconds: number | null
  cron: string | null
  mode: 'incremental' | 'full'
  paused: boolean
  next_run_at: Date
  last_enqueued_at: Date | null
  created_at: Date
}

export interface NewSchedule {
  source: string
  stream: string | null
  everySeconds: number | null
  cron: string | null
  mode: 'incremental' | 'full'
  nextRunAt: Date
}

/** Adds a schedule, or replaces the timing of the one for the same source, stream and mode. */
export async function upsertSchedule(db: Queryable, s: NewSchedule): Promise<DbSchedule> {
  const { rows } = await db.query<DbSchedule>(
    `INSERT INTO crmsync.schedules (source, stream, every_seconds, cron, mode, next_run_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (source, coalesce(stream, ''), mode) DO UPDATE SET every_seconds = EXCLUDED.every_seconds, cron = EXCLUDED.cron,
       next_run_at = EXCLUDED.next_run_at, paused = false
     RETURNING *`,
    [s.source, s.stream, s.everySeconds, s.cron, s.mode, s.nextRunAt],
  )
  return rows[0]
}

export async function listSchedules(db: Queryable): Promise<DbSchedule[]> {
  const { rows } = await db.query<DbSchedule>(`SELECT * FROM crmsync.schedules ORDER BY source, stream NULLS FIRST, mode`)
  return rows
}

export async function deleteSchedule(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM crmsync.schedules WHERE id = $1`, [id])
  return rowCount > 0
}

export async function setSchedulePaused(db: Queryable, id: number, paused: boolean): Promise<DbSchedule | undefined> {
  const { rows } = await db.query<DbSchedule>(`UPDATE crmsync.schedules SET paused = $2 WHERE id = $1 RETURNING *`, [id, paused])
  return rows[0]
}

/** The schedules due now, locked for this transaction so two schedulers never fire one twice. */
export async function claimDueSchedules(db: Queryable): Promise<DbSchedule[]> {
  const { rows } = await db.query<DbSchedule>(
    `SELECT * FROM crmsync.schedules WHERE NOT paused AND next_run_at <= now() ORDER BY next_run_at FOR UPDATE SKIP LOCKED`,
  )
  return rows
}

export async function markScheduleFired(db: Queryable, id: number, nextRunAt: Date): Promise<void> {
  await db.query(`UPDATE crmsync.schedules SET next_run_at = $2, last_enqueued_at = now() WHERE id = $1`, [id, nextRunAt])
}

/** How many of a stream's most recent runs failed in a row, and when the last one ended. */
export async function recentFailures(db: Queryable, source: string, stream: string): Promise<{ failures: number; lastFailedAt: Date | null }> {
  const { rows } = await db.query<{ failures: number; last_failed_at: Date | null }>(
    `WITH recent AS (
       SELECT status, finished_at, row_number() OVER (ORDER BY id DESC) AS n FROM crmsync.sync_runs
       WHERE source = $1 AND stream = $2 AND status <> 'running' AND NOT dry_run ORDER BY id DESC LIMIT 20
     )
     SELECT coalesce(min(n) FILTER (WHERE status <> 'failed') - 1, count(*))::int AS failures,
       max(finished_at) FILTER (WHERE status = 'failed') AS last_failed_at FROM recent`,
    [source, stream],
  )
  return { failures: rows[0]?.failures ?? 0, lastFailedAt: rows[0]?.last_failed_at ?? null }
}

/** A schedule as `crmsync schedule --json` and the dashboard's API show it. */
export const scheduleJson = (s: DbSchedule) => ({
  id: s.id,
  source: s.source,
  stream: s.stream,
  everySeconds: s.every_seconds,
  cron: s.cron,
  mode: s.mode,
  paused: s.paused,
  nextRunAt: s.next_run_at,
  lastEnqueuedAt: s.last_enqueued_at,
})
