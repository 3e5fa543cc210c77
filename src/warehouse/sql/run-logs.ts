import type { Queryable } from '../types.ts'

/** One line of a run's log, as the run kept it (src/engine/run-log.ts). */
export interface RunLogLine {
  /** 1, 2, 3… within the run: where a reader following the log goes on from */
  seq: number
  at: Date
  level: string
  message: string
  /** the line's structured fields (attempt, waitMs, rows…), already redacted; null when it had none */
  fields: Record<string, unknown> | null
}

/** A line's fields as `key=value` words (objects as JSON), as the CLI and the run page show them. */
export const logFieldsText = (fields: RunLogLine['fields']): string =>
  Object.entries(fields ?? {})
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' ')

/** Appends lines to a run's log, in one statement however many (one jsonb parameter: the same on PostgreSQL and PGlite). */
export async function appendRunLogs(db: Queryable, runId: number, lines: readonly RunLogLine[]): Promise<void> {
  if (lines.length === 0) return
  await db.query(
    `INSERT INTO crmsync.run_logs (run_id, seq, at, level, message, fields)
     SELECT $1, l.seq, l.at, l.level, l.message, l.fields
       FROM jsonb_to_recordset($2::jsonb) AS l(seq integer, at timestamptz, level text, message text, fields jsonb)
     ON CONFLICT (run_id, seq) DO NOTHING`,
    [runId, JSON.stringify(lines)],
  )
}

/** A run's log lines after line `afterSeq`, oldest first. */
export async function listRunLogs(db: Queryable, runId: number, afterSeq = 0, limit = 1000): Promise<RunLogLine[]> {
  const { rows } = await db.query<RunLogLine>(
    `SELECT seq, at, level, message, fields FROM crmsync.run_logs WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [runId, afterSeq, limit],
  )
  return rows
}
