import { qualified } from '../identifiers.ts'
import type { Queryable } from '../types.ts'

/** One stream as the status command and the dashboard show it. */
export interface DbStreamOverview {
  source: string
  stream: string
  cursor: unknown
  full_pass: unknown
  last_success_at: Date | null
  last_run_id: number | null
  last_status: string | null
  last_started_at: Date | null
  last_duration_ms: number | null
  last_error: string | null
  running_run_id: number | null
}

/** Every stream that has state or history, with its latest run. */
export async function listStreamOverview(db: Queryable): Promise<DbStreamOverview[]> {
  const { rows } = await db.query<DbStreamOverview>(
    `WITH streams AS (
       SELECT source, stream FROM crmsync.stream_state UNION SELECT DISTINCT source, stream FROM crmsync.sync_runs
     ), latest AS (
       SELECT DISTINCT ON (source, stream) source, stream, id, status, started_at, duration_ms, error
       FROM crmsync.sync_runs WHERE NOT dry_run ORDER BY source, stream, id DESC
     ), running AS (
       SELECT source, stream, max(id) AS id FROM crmsync.sync_runs WHERE status = 'running' GROUP BY source, stream
     )
     SELECT s.source, s.stream, st.cursor, st.full_pass, st.last_success_at, l.id AS last_run_id, l.status AS last_status,
       l.started_at AS last_started_at, l.duration_ms AS last_duration_ms, l.error AS last_error, r.id AS running_run_id
     FROM streams s
     LEFT JOIN crmsync.stream_state st USING (source, stream)
     LEFT JOIN latest l USING (source, stream)
     LEFT JOIN running r USING (source, stream)
     ORDER BY s.source, s.stream`,
  )
  return rows
}

/**
 * Live and soft-deleted row counts of a stream's table, or undefined when it does not exist yet:
 * the exact counts its runs keep in stream_state, so a view costs the same at any table size. A
 * table whose counts are not kept yet (not synced since they were) is counted.
 */
export async function countTableRows(db: Queryable, schema: string, table: string): Promise<{ live: number; deleted: number } | undefined> {
  const kept = await db.query<{ live: number; deleted: number }>(
    `SELECT live_rows::float8 AS live, deleted_rows::float8 AS deleted FROM crmsync.stream_state
     WHERE source = $1 AND stream = $2 AND live_rows IS NOT NULL AND deleted_rows IS NOT NULL`,
    [schema, table],
  )
  if (kept.rows[0]) return kept.rows[0]
  const exists = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2) AS found`,
    [schema, table],
  )
  if (!exists.rows[0].found) return undefined
  const { rows } = await db.query<{ live: number; deleted: number }>(
    `SELECT count(*) FILTER (WHERE "_deleted_at" IS NULL)::int AS live, count(*) FILTER (WHERE "_deleted_at" IS NOT NULL)::int AS deleted FROM ${qualified(schema, table)}`,
  )
  return rows[0]
}
