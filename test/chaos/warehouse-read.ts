import type pg from 'pg'
import { CATALOG, type SourceName } from './catalog.ts'
import { contentHash } from './canonical.ts'

export interface StoredRows {
  /** keyed streams: key → content hash of `_raw`, and whether it is soft-deleted */
  rows: Map<string, { hash: string; deleted: boolean }>
  /** keyless streams: content hash of each live row's `_raw` → copies */
  multiset: Map<string, number>
  /** the table was never created (no run got that far) */
  missing: boolean
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`

/** A stream's table as the harness compares it: every row, its key, its payload, deleted or not. */
export async function readStored(client: pg.Pool, source: SourceName, stream: string): Promise<StoredRows> {
  const out: StoredRows = { rows: new Map(), multiset: new Map(), missing: false }
  const { primaryKey, keyless } = CATALOG[source].streams[stream]
  const exists = await client.query(`SELECT to_regclass($1) AS t`, [`${ident(source)}.${ident(stream)}`])
  if (exists.rows[0].t === null) return { ...out, missing: true }
  const key = `concat_ws(chr(31), ${primaryKey.map((k) => `${ident(k)}::text`).join(', ')})`
  const { rows } = await client.query<{ key: string; raw: unknown; deleted: boolean }>(
    `SELECT ${key} AS key, _raw AS raw, _deleted_at IS NOT NULL AS deleted
     FROM ${ident(source)}.${ident(stream)}`,
  )
  for (const row of rows) {
    const hash = contentHash(row.raw)
    if (keyless) {
      if (!row.deleted) out.multiset.set(hash, (out.multiset.get(hash) ?? 0) + 1)
    } else out.rows.set(row.key, { hash, deleted: row.deleted })
  }
  return out
}

/** Content hashes of the records crmsync rejected, per stream. */
export async function readRejects(client: pg.Pool, source: SourceName): Promise<Map<string, Set<string>>> {
  const { rows } = await client.query<{ stream: string; raw: unknown }>(
    `SELECT stream, raw FROM crmsync.rejects WHERE source = $1`,
    [source],
  )
  const out = new Map<string, Set<string>>()
  for (const row of rows) {
    if (!out.has(row.stream)) out.set(row.stream, new Set())
    out.get(row.stream)?.add(contentHash(row.raw))
  }
  return out
}
