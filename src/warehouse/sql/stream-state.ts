import { qualified } from '../identifiers.ts'
import type { Queryable } from '../types.ts'

/** A full pass in progress: survives crashes so the next run finishes it, then deletes what it did not see. */
export interface FullPass {
  passId: string
  mode: 'full' | 'force'
  runId: number | null
  startedAt: string
  /** false when the table had no live rows at the start: nothing can need deleting, so no keys are kept */
  tracksKeys: boolean
  /** the table had no rows at all at the start: pages may be COPYed straight in (see commit-batch.ts) */
  startedEmpty?: boolean
}

export interface DbStreamState {
  source: string
  stream: string
  cursor: unknown
  full_pass: FullPass | null
  last_run_id: number | null
  last_success_at: Date | null
  last_full_at: Date | null
  updated_at: Date
  /** exact live and soft-deleted rows of the stream's table; null until first counted */
  live_rows: string | number | null
  deleted_rows: string | number | null
  /** where an unfinished reprocess resumes: the key of the last row it committed (0009) */
  reprocess_after?: string[] | null
  /** the stream's last run kept its history (history mode) */
  history: boolean
}

/** Records whether the stream's run keeps its history (history mode), for the next run to compare. */
export async function setHistoryKept(db: Queryable, source: string, stream: string, kept: boolean): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.stream_state (source, stream, history) VALUES ($1, $2, $3)
     ON CONFLICT (source, stream) DO UPDATE SET history = EXCLUDED.history`,
    [source, stream, kept],
  )
}

export async function loadStreamState(db: Queryable, source: string, stream: string): Promise<DbStreamState | undefined> {
  const { rows } = await db.query<DbStreamState>(`SELECT * FROM crmsync.stream_state WHERE source = $1 AND stream = $2`, [source, stream])
  return rows[0]
}

export async function listStreamStates(db: Queryable): Promise<DbStreamState[]> {
  const { rows } = await db.query<DbStreamState>(`SELECT * FROM crmsync.stream_state ORDER BY source, stream`)
  return rows
}

/** Stores the resume point; called inside the transaction that committed the rows it covers. */
export async function saveCursor(db: Queryable, source: string, stream: string, cursor: unknown): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.stream_state (source, stream, cursor, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (source, stream) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now()`,
    [source, stream, JSON.stringify(cursor)],
  )
}

/** Moves a stream's row counts; in the transaction that moved its rows, so they stay exact. */
export async function addRowCounts(db: Queryable, source: string, stream: string, live: number, deleted: number): Promise<void> {
  await db.query(
    `UPDATE crmsync.stream_state SET live_rows = live_rows + $3, deleted_rows = deleted_rows + $4 WHERE source = $1 AND stream = $2`,
    [source, stream, live, deleted],
  )
}

/**
 * Counts a stream's table once when its counts are unknown (a stream new to this warehouse, or
 * one loaded before they were kept), under the stream's lock, before the run writes a page.
 */
export async function initRowCounts(db: Queryable, source: string, stream: string): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.stream_state (source, stream, live_rows, deleted_rows)
       SELECT $1, $2, count(*) FILTER (WHERE "_deleted_at" IS NULL), count(*) FILTER (WHERE "_deleted_at" IS NOT NULL) FROM ${qualified(source, stream)}
     ON CONFLICT (source, stream) DO UPDATE SET live_rows = EXCLUDED.live_rows, deleted_rows = EXCLUDED.deleted_rows
       WHERE crmsync.stream_state.live_rows IS NULL OR crmsync.stream_state.deleted_rows IS NULL`,
    [source, stream],
  )
}

/** Starts (or clears, with null) the full pass of a stream; starting one also forgets the cursor. */
export async function setFullPass(db: Queryable, source: string, stream: string, pass: FullPass | null): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.stream_state (source, stream, full_pass, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (source, stream) DO UPDATE SET full_pass = EXCLUDED.full_pass,
       cursor = CASE WHEN EXCLUDED.full_pass IS NOT NULL THEN NULL ELSE crmsync.stream_state.cursor END, updated_at = now()`,
    [source, stream, pass ? JSON.stringify(pass) : null],
  )
}

/** Ends a completed full pass. */
export async function completeFullPass(db: Queryable, source: string, stream: string): Promise<void> {
  await db.query(
    `UPDATE crmsync.stream_state SET full_pass = NULL, last_full_at = now(), updated_at = now() WHERE source = $1 AND stream = $2`,
    [source, stream],
  )
}

export async function recordRunOutcome(db: Queryable, source: string, stream: string, runId: number, succeeded: boolean): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.stream_state (source, stream, last_run_id, last_success_at) VALUES ($1, $2, $3, CASE WHEN $4 THEN now() END)
     ON CONFLICT (source, stream) DO UPDATE SET last_run_id = $3,
       last_success_at = CASE WHEN $4 THEN now() ELSE crmsync.stream_state.last_success_at END`,
    [source, stream, runId, succeeded],
  )
}
