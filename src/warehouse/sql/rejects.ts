import type { Queryable } from '../types.ts'

export interface RejectRow {
  key: string | null
  reason: string
  raw: unknown
}

export interface DbReject {
  id: number
  run_id: number | null
  source: string
  stream: string
  record_key: string | null
  reason: string
  raw: unknown
  created_at: Date
}

/** Inserts a page's rejected records in one statement. */
export async function insertRejects(db: Queryable, runId: number | null, source: string, stream: string, rejects: readonly RejectRow[]): Promise<void> {
  if (rejects.length === 0) return
  await db.query(
    `INSERT INTO crmsync.rejects (run_id, source, stream, record_key, reason, raw)
     SELECT $1, $2, $3, k, r, w::jsonb FROM unnest($4::text[], $5::text[], $6::text[]) AS x(k, r, w)`,
    [runId, source, stream, rejects.map((r) => r.key), rejects.map((r) => r.reason), rejects.map((r) => rawAsJson(r.raw))],
  )
}

export async function listRejects(db: Queryable, filter: { runId?: number; source?: string; stream?: string; limit?: number }): Promise<DbReject[]> {
  const { rows } = await db.query<DbReject>(
    `SELECT * FROM crmsync.rejects WHERE ($1::bigint IS NULL OR run_id = $1) AND ($2::text IS NULL OR source = $2)
       AND ($3::text IS NULL OR stream = $3) ORDER BY id DESC LIMIT $4`,
    [filter.runId ?? null, filter.source ?? null, filter.stream ?? null, filter.limit ?? 20],
  )
  return rows
}

/** The raw record as JSON text that jsonb accepts: a record that is not JSON is kept as a string. */
function rawAsJson(raw: unknown): string {
  const text = JSON.stringify(raw === undefined ? null : raw) ?? 'null'
  // jsonb refuses \u0000; a record carrying one is exactly the kind of thing that gets rejected
  return text.replaceAll('\\u0000', '\\ufffd')
}
