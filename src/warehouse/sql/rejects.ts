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

export async function listRejects(db: Queryable, filter: RejectFilter & { limit?: number }): Promise<DbReject[]> {
  const { rows } = await db.query<DbReject>(
    `SELECT * FROM crmsync.rejects WHERE ($1::bigint IS NULL OR run_id = $1) AND ($2::text IS NULL OR source = $2)
       AND ($3::text IS NULL OR stream = $3) ORDER BY id DESC LIMIT $4`,
    [filter.runId ?? null, filter.source ?? null, filter.stream ?? null, filter.limit ?? 20],
  )
  return rows
}

/** Which rejects a command is about: a source, a stream of it, a run (each optional). */
export interface RejectFilter {
  source?: string
  stream?: string
  runId?: number
}

/** The streams that hold rejects (matching `filter`), with how many each. */
export async function rejectStreams(db: Queryable, filter: RejectFilter): Promise<{ source: string; stream: string; rejects: number }[]> {
  const { rows } = await db.query<{ source: string; stream: string; rejects: number }>(
    `SELECT source, stream, count(*)::int AS rejects FROM crmsync.rejects WHERE ($1::bigint IS NULL OR run_id = $1)
       AND ($2::text IS NULL OR source = $2) AND ($3::text IS NULL OR stream = $3) GROUP BY source, stream ORDER BY source, stream`,
    [filter.runId ?? null, filter.source ?? null, filter.stream ?? null],
  )
  return rows
}

/** The next rejects of one stream to retry, oldest first, after id `afterId` (a keyset read). */
export async function rejectsToRetry(db: Queryable, source: string, stream: string, runId: number | null, afterId: number, limit: number): Promise<DbReject[]> {
  const { rows } = await db.query<DbReject>(
    `SELECT * FROM crmsync.rejects WHERE source = $1 AND stream = $2 AND ($3::bigint IS NULL OR run_id = $3) AND id > $4
     ORDER BY id LIMIT $5`,
    [source, stream, runId, afterId, limit],
  )
  return rows.map((r) => ({ ...r, id: Number(r.id) }))
}

/** Removes rejects that a retry stored: in the transaction that merged their rows. */
export async function deleteRejects(db: Queryable, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return
  await db.query(`DELETE FROM crmsync.rejects WHERE id = ANY($1::bigint[])`, [ids])
}

/** Gives rejects that a retry still refused the reason today's processors give. */
export async function updateRejectReasons(db: Queryable, rejects: readonly { id: number; reason: string }[]): Promise<void> {
  if (rejects.length === 0) return
  await db.query(
    `UPDATE crmsync.rejects r SET reason = x.reason FROM unnest($1::bigint[], $2::text[]) AS x(id, reason) WHERE r.id = x.id`,
    [rejects.map((r) => r.id), rejects.map((r) => r.reason)],
  )
}

/** The raw record as JSON text that jsonb accepts: a record that is not JSON is kept as a string. */
function rawAsJson(raw: unknown): string {
  const text = JSON.stringify(raw === undefined ? null : raw) ?? 'null'
  // jsonb refuses \u0000; a record carrying one is exactly the kind of thing that gets rejected
  return text.replaceAll('\\u0000', '\\ufffd')
}
