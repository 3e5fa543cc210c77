import { redactSecrets } from '../../redact.ts'
import { countsOf, RUN_COUNTS, type RunCounts } from '../../run-counts.ts'
import type { Queryable } from '../types.ts'
import { streamLockHeld } from './locks.ts'

/** A row of crmsync.sync_runs as the engine and the surfaces read it; its counts are `RUN_COUNTS`. */
export interface DbRun extends RunCounts {
  id: number
  dry_run: boolean
  source: string
  stream: string
  mode: string
  status: string
  trigger: string
  window_since: string | null
  window_until: string | null
  cursor_from: unknown
  /** the cursor of the run's last committed page that moved one (read by listRuns and getRun, not stored) */
  cursor_to?: unknown
  started_at: Date
  finished_at: Date | null
  heartbeat_at: Date
  pages: number
  fetch_ms: number
  write_ms: number
  duration_ms: number | null
  attempts: number
  error_code: string | null
  error: string | null
  host: string | null
  pid: number | null
  stop_requested_at: Date | null
  worker_id: string | null
}

export interface NewRun {
  source: string
  stream: string
  mode: string
  trigger: string
  since?: string
  until?: string
  cursorFrom: unknown
  host: string
  pid: number
  workerId?: string
  /** a dry run: recorded with its counts and log, but it changed nothing */
  dryRun?: boolean
}

export async function insertRun(db: Queryable, run: NewRun): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO crmsync.sync_runs (source, stream, mode, trigger, window_since, window_until, cursor_from, host, pid, worker_id, dry_run)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [run.source, run.stream, run.mode, run.trigger, run.since ?? null, run.until ?? null, json(run.cursorFrom), run.host, run.pid, run.workerId ?? null, run.dryRun ?? false],
  )
  return rows[0].id
}

/** Refreshes a run's heartbeat; answers whether someone asked the run to stop. */
export async function heartbeatRun(db: Queryable, runId: number): Promise<boolean> {
  const { rows } = await db.query<{ stop: boolean }>(
    `UPDATE crmsync.sync_runs SET heartbeat_at = now() WHERE id = $1 AND status = 'running' RETURNING stop_requested_at IS NOT NULL AS stop`,
    [runId],
  )
  return rows[0]?.stop ?? false
}

/** Asks a running run to stop after the page in hand; whichever process runs it sees this at its next heartbeat. */
export async function requestStop(db: Queryable, runId: number): Promise<DbRun | undefined> {
  const { rows } = await db.query<DbRun>(
    `UPDATE crmsync.sync_runs SET stop_requested_at = coalesce(stop_requested_at, now()) WHERE id = $1 AND status = 'running' RETURNING *`,
    [runId],
  )
  return rows[0]
}

/** What one committed page counted (`RUN_COUNTS`), and how long it took to read and to write. */
export interface PageCounts extends RunCounts {
  fetchMs: number
  writeMs: number
}

// every count column of sync_runs, $2 onwards in RUN_COUNTS order
const ADD_PAGE_TO_RUN = `UPDATE crmsync.sync_runs SET ${RUN_COUNTS.map((c, i) => `${c} = ${c} + $${i + 2}`).join(', ')},
       fetch_ms = fetch_ms + $${RUN_COUNTS.length + 2}, write_ms = write_ms + $${RUN_COUNTS.length + 3}, pages = pages + 1,
       heartbeat_at = now()
     WHERE id = $1`

/** Adds one committed page to its run's totals; runs in the page's own transaction. */
export async function addPageToRun(db: Queryable, runId: number, page: PageCounts): Promise<void> {
  await db.query(ADD_PAGE_TO_RUN, [runId, ...RUN_COUNTS.map((c) => page[c]), page.fetchMs, page.writeMs])
}

export async function addDeletedToRun(db: Queryable, runId: number, deleted: number): Promise<void> {
  await db.query(`UPDATE crmsync.sync_runs SET deleted = deleted + $2 WHERE id = $1`, [runId, deleted])
}

export interface RunEnd {
  status: string
  durationMs: number
  attempts: number
  errorCode?: string
  error?: string
  /** a dry run's counts: its batches rolled back, and the counts they added to the run with them */
  dryRunCounts?: RunCounts
}

/**
 * Ends a run; only a `running` run can end, so a run marked dead by another process stays dead.
 * The error is redacted here, where it is persisted: every reader (history, dashboard, alerts) then
 * sees a clean text, whichever path produced it.
 */
export async function finishRun(db: Queryable, runId: number, end: RunEnd): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE crmsync.sync_runs SET status = $2, finished_at = now(), duration_ms = $3, attempts = $4,
       error_code = $5, error = $6, ${RUN_COUNTS.map((c) => `${c} = coalesce(($7::jsonb ->> '${c}')::bigint, ${c})`).join(', ')}
     WHERE id = $1 AND status = 'running'`,
    [runId, end.status, end.durationMs, end.attempts, end.errorCode ?? null, end.error === undefined ? null : redactSecrets(end.error), end.dryRunCounts === undefined ? null : JSON.stringify(end.dryRunCounts)],
  )
  return rowCount > 0
}

// a run someone had asked to stop (Ctrl-C, then a second Ctrl-C that exits at once) ends cancelled, not failed
const ABANDONED = `finished_at = now(),
       status = CASE WHEN stop_requested_at IS NULL THEN 'failed' ELSE 'cancelled' END,
       error_code = CASE WHEN stop_requested_at IS NULL THEN 'abandoned' ELSE 'cancelled' END,
       duration_ms = (extract(epoch FROM heartbeat_at - started_at) * 1000)::bigint,
       error = CASE WHEN stop_requested_at IS NULL THEN 'the process running this sync stopped without finishing' ELSE 'stopped on request; the process exited before it could finish the run' END
         || ' (last heartbeat ' || to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC); the next run resumed from the last committed page'`

/**
 * Marks the `running` runs of a stream as ended. Called by whoever holds the stream's lock: with
 * the lock held, no live process can be running them, so their process died. A run someone had
 * asked to stop (Ctrl-C, then a second Ctrl-C that exits at once) ends `cancelled`, not failed.
 */
export async function markAbandonedRuns(db: Queryable, source: string, stream: string): Promise<DbRun[]> {
  const { rows } = await db.query<DbRun>(`UPDATE crmsync.sync_runs SET ${ABANDONED} WHERE source = $1 AND stream = $2 AND status = 'running' RETURNING *`, [
    source,
    stream,
  ])
  return rows
}

/**
 * Marks one run failed if it is still `running`, its heartbeat is older than `seconds`, and no
 * session holds its stream's lock (a live run holds it from before its row exists until after it
 * ends): its process died. For a process that does not run the stream itself; it never takes the
 * lock, so a run of the stream starting at that moment is not turned away as busy.
 */
export async function markRunAbandonedIfUnheld(db: Queryable, runId: number, seconds: number): Promise<DbRun | undefined> {
  const { rows } = await db.query<DbRun>(
    `UPDATE crmsync.sync_runs SET ${ABANDONED}
     WHERE id = $1 AND status = 'running' AND heartbeat_at < now() - make_interval(secs => $2) AND NOT ${streamLockHeld('source', 'stream')}
     RETURNING *`,
    [runId, seconds],
  )
  return rows[0]
}

/**
 * Whether the newest run that could have moved the stream's cursor (anything but a backfill)
 * stopped before reading to its end: its cursor may then be a resume point inside an old read.
 */
export async function lastRunStoppedEarly(db: Queryable, source: string, stream: string): Promise<boolean> {
  const { rows } = await db.query<{ status: string; error_code: string | null }>(
    `SELECT status, error_code FROM crmsync.sync_runs WHERE source = $1 AND stream = $2 AND mode NOT IN ('backfill', 'reprocess') AND status <> 'running'
       AND NOT dry_run ORDER BY id DESC LIMIT 1`,
    [source, stream],
  )
  const last = rows[0]
  return last !== undefined && (last.status === 'failed' || last.status === 'cancelled' || last.error_code === 'max_records')
}

/** Running runs whose heartbeat is older than `seconds`: candidates for the dead-run sweep. */
export async function listStaleRuns(db: Queryable, seconds: number): Promise<DbRun[]> {
  const { rows } = await db.query<DbRun>(
    `SELECT * FROM crmsync.sync_runs WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1) ORDER BY id`,
    [seconds],
  )
  return rows
}

export interface RunFilter {
  source?: string
  stream?: string
  status?: string
  since?: string
  until?: string
  limit?: number
  offset?: number
}

// a run's row with its last cursor: the cursor of its last committed page that moved one (the
// commit keeps a cursor in the stream's state and in the page, not in the run as well)
const RUN_ROW = `r.*, (SELECT p.cursor FROM crmsync.run_pages p WHERE p.run_id = r.id AND p.cursor IS NOT NULL
     ORDER BY p.page_no DESC LIMIT 1) AS cursor_to`

export async function listRuns(db: Queryable, filter: RunFilter = {}): Promise<DbRun[]> {
  const { rows } = await db.query<DbRun>(
    `SELECT ${RUN_ROW} FROM crmsync.sync_runs r
     WHERE ($1::text IS NULL OR source = $1) AND ($2::text IS NULL OR stream = $2) AND ($3::text IS NULL OR status = $3)
       AND ($4::timestamptz IS NULL OR started_at >= $4) AND ($5::timestamptz IS NULL OR started_at < $5)
     ORDER BY id DESC LIMIT $6 OFFSET $7`,
    [filter.source ?? null, filter.stream ?? null, filter.status ?? null, filter.since ?? null, filter.until ?? null, filter.limit ?? 50, filter.offset ?? 0],
  )
  return rows
}

export async function getRun(db: Queryable, runId: number): Promise<DbRun | undefined> {
  const { rows } = await db.query<DbRun>(`SELECT ${RUN_ROW} FROM crmsync.sync_runs r WHERE id = $1`, [runId])
  return rows[0]
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value))

/** A run as `crmsync history --json` and the dashboard's API show it (camelCase, error text redacted). */
export const runJson = (r: DbRun) => ({
  /** the name `sync --json` and every event use; `id` is kept for scripts that read it */
  runId: r.id,
  id: r.id,
  dryRun: r.dry_run,
  source: r.source,
  stream: r.stream,
  mode: r.mode,
  status: r.status,
  trigger: r.trigger,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  heartbeatAt: r.heartbeat_at,
  durationMs: r.duration_ms,
  ...countsOf(r),
  pages: r.pages,
  fetchMs: r.fetch_ms,
  writeMs: r.write_ms,
  attempts: r.attempts,
  windowSince: r.window_since,
  windowUntil: r.window_until,
  cursorFrom: r.cursor_from,
  cursorTo: r.cursor_to ?? null,
  errorCode: r.error_code,
  error: r.error === null ? null : redactSecrets(r.error),
  host: r.host,
  pid: r.pid,
  workerId: r.worker_id ?? null,
  stopRequestedAt: r.stop_requested_at ?? null,
})
