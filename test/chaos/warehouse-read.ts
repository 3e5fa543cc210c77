import type pg from 'pg'
import { CATALOG, type SourceName } from './catalog.ts'
import { contentHash } from './canonical.ts'
import { storedBase } from './column-types.ts'
import type { ColumnBase } from './read-value.ts'

export interface StoredRows {
  /** keyed streams: key → content hash of `_raw`, whether it is soft-deleted, and `_raw` itself */
  rows: Map<string, { hash: string; deleted: boolean; raw: unknown }>
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
    // the record as an analyst reads it back, slim `_raw` or whole (docs/design.md, "Slim `_raw`")
    `SELECT ${key} AS key, crmsync.record(t._raw, to_jsonb(t)) AS raw, _deleted_at IS NOT NULL AS deleted
     FROM ${ident(source)}.${ident(stream)} t`,
  )
  for (const row of rows) {
    const hash = contentHash(row.raw)
    if (keyless) {
      if (!row.deleted) out.multiset.set(hash, (out.multiset.get(hash) ?? 0) + 1)
    } else out.rows.set(row.key, { hash, deleted: row.deleted, raw: row.raw })
  }
  return out
}

/** A stream's table as the column judge reads it: its columns' types, and each live row's values and `_meta`. */
export interface StoredTable {
  types: Map<string, StoredType>
  /** key → the live row */
  rows: Map<string, StoredValues>
}

export interface StoredType {
  base: ColumnBase
  /** PostgreSQL's spelling (`numeric(12,2)`) */
  sql: string
  scale?: number
}

/** A row as `to_jsonb` gives it (timestamps as ISO text, numbers as numbers), and its `_meta` */
export interface StoredValues {
  values: Record<string, unknown>
  meta: { changes?: { field: string }[] } | null
}

export async function readTable(client: pg.Pool, source: SourceName, stream: string): Promise<StoredTable> {
  const out: StoredTable = { types: new Map(), rows: new Map() }
  const table = `${ident(source)}.${ident(stream)}`
  const exists = await client.query(`SELECT to_regclass($1) AS t`, [table])
  if (exists.rows[0].t === null) return out
  const { rows: columns } = await client.query<{ name: string; type: string }>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
     WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
    [table],
  )
  for (const c of columns) out.types.set(c.name, { ...storedBase(c.type), sql: c.type })
  const { primaryKey } = CATALOG[source].streams[stream]
  const key = `concat_ws(chr(31), ${primaryKey.map((k) => `${ident(k)}::text`).join(', ')})`
  const { rows } = await client.query<{ key: string; values: Record<string, unknown>; meta: any }>(
    `SELECT ${key} AS key, to_jsonb(t) - '_raw' AS values, _meta AS meta FROM ${table} t WHERE _deleted_at IS NULL`,
  )
  for (const row of rows) out.rows.set(row.key, { values: row.values, meta: row.meta })
  return out
}

/** The records crmsync rejected (`raw`), per stream. */
export async function readRejects(client: pg.Pool, source: SourceName): Promise<Map<string, unknown[]>> {
  const { rows } = await client.query<{ stream: string; raw: unknown }>(
    `SELECT stream, raw FROM crmsync.rejects WHERE source = $1`,
    [source],
  )
  const out = new Map<string, unknown[]>()
  for (const row of rows) {
    if (!out.has(row.stream)) out.set(row.stream, [])
    out.get(row.stream)?.push(row.raw)
  }
  return out
}

/**
 * The first key part of rows the open full pass of a stream already saw: its `crmsync.pass_keys`,
 * or, for a pass that keeps none (it started on an empty table), the live rows it loaded. Empty
 * when no pass is open. A delete of these while the pass is paused is what it must still notice.
 */
export async function seenByOpenPass(client: pg.Pool, source: SourceName, stream: string): Promise<string[]> {
  const { rows: states } = await client.query<{ pass: { passId: string; tracksKeys: boolean } | null }>(
    `SELECT full_pass AS pass FROM crmsync.stream_state WHERE source = $1 AND stream = $2`,
    [source, stream],
  )
  const pass = states[0]?.pass
  if (!pass) return []
  const first = CATALOG[source].streams[stream].primaryKey[0]
  const { rows } = pass.tracksKeys
    ? await client.query<{ key: string }>(
        `SELECT DISTINCT split_part(record_key, chr(31), 1) AS key FROM crmsync.pass_keys WHERE pass_id = $1`,
        [pass.passId],
      )
    : await client.query<{ key: string }>(
        `SELECT DISTINCT ${ident(first)}::text AS key FROM ${ident(source)}.${ident(stream)}
         WHERE _deleted_at IS NULL`,
      )
  return rows.map((r) => r.key)
}
