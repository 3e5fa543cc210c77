import type { Queryable } from '../types.ts'

export interface WorkerJob {
  jobId: string
  source: string
  stream: string
  runId?: number | null
  startedAt: string
}

export interface DbWorker {
  id: string
  host: string
  pid: number
  concurrency: number
  started_at: Date
  heartbeat_at: Date
  stopping: boolean
  jobs: WorkerJob[]
}

export async function registerWorker(db: Queryable, w: { id: string; host: string; pid: number; concurrency: number }): Promise<void> {
  await db.query(`INSERT INTO crmsync.workers (id, host, pid, concurrency) VALUES ($1, $2, $3, $4)`, [w.id, w.host, w.pid, w.concurrency])
}

/** Refreshes a worker's heartbeat and the jobs it holds. */
export async function heartbeatWorker(db: Queryable, id: string, jobs: readonly WorkerJob[], stopping: boolean): Promise<void> {
  await db.query(`UPDATE crmsync.workers SET heartbeat_at = now(), jobs = $2, stopping = $3 WHERE id = $1`, [id, JSON.stringify(jobs), stopping])
}

export async function removeWorker(db: Queryable, id: string): Promise<void> {
  await db.query(`DELETE FROM crmsync.workers WHERE id = $1`, [id])
}

export async function listWorkers(db: Queryable, freshSeconds = 30): Promise<DbWorker[]> {
  const { rows } = await db.query<DbWorker>(
    `SELECT * FROM crmsync.workers WHERE heartbeat_at > now() - make_interval(secs => $1) ORDER BY started_at`,
    [freshSeconds],
  )
  return rows
}

/**
 * Removes workers silent for longer than `seconds` and returns them, with the jobs they held:
 * one statement, so two workers reaping at once never both take the same dead worker's jobs.
 */
export async function reapDeadWorkers(db: Queryable, seconds: number): Promise<DbWorker[]> {
  const { rows } = await db.query<DbWorker>(
    `DELETE FROM crmsync.workers WHERE heartbeat_at < now() - make_interval(secs => $1) RETURNING *`,
    [seconds],
  )
  return rows
}

/** The ids of the jobs every registered worker says it holds (live or not yet reaped). */
export async function listHeldJobIds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT job->>'jobId' AS id FROM crmsync.workers, jsonb_array_elements(jobs) AS job`)
  return rows.map((r) => r.id)
}
