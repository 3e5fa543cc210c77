import { quoteIdent } from '../identifiers.ts'
import { keyExpression } from '../merge.ts'
import type { RecordShape } from '../../record-shape.ts'
import { recordSql } from './record-shapes.ts'
import { tableName, type StreamTable } from '../stream-table.ts'
import type { Queryable } from '../types.ts'

/** A live row as a reprocess reads it: its primary key (each column's value as text) and its record (`_raw`, rebuilt when slim). */
export interface LiveRow {
  key: string[]
  raw: unknown
}

/** Which live rows a reprocess reads next: after a key (keyset order), at most `limit`, only `keys` when given. */
export interface LiveRowsPage {
  after: readonly string[] | null
  limit: number
  /** keys as `keyText` writes them (one column's text, or the columns joined by U+001F) */
  keys: readonly string[] | null
  /** the shapes slim rows may name (listRecordShapes), rebuilt by their own SQL; any other is looked up row by row */
  shapes?: readonly RecordShape[]
}

/**
 * The next live rows of a stream's table in primary-key order, after `page.after`: a keyset read,
 * so each batch costs the same however far into the table it is (no OFFSET, docs/design.md §3.10).
 */
export async function readLiveRows(db: Queryable, t: StreamTable, page: LiveRowsPage): Promise<LiveRow[]> {
  const keys = t.primaryKey.map((k) => `t.${quoteIdent(k)}`)
  const typeOf = (k: string) => t.columns.find((c) => c.name === k)?.type.sql ?? 'text'
  const conditions = [`t."_deleted_at" IS NULL`]
  const params: unknown[] = [page.limit]
  if (page.after) {
    params.push(page.after)
    const bound = t.primaryKey.map((k, i) => `($${params.length}::text[])[${i + 1}]::${typeOf(k)}`)
    conditions.push(`ROW(${keys.join(', ')}) > ROW(${bound.join(', ')})`)
  }
  if (page.keys) {
    params.push(page.keys)
    conditions.push(`${keyExpression('t', t.primaryKey, true)} = ANY($${params.length}::text[])`)
  }
  const { rows } = await db.query<LiveRow>(
    `SELECT ARRAY[${keys.map((k) => `${k}::text`).join(', ')}] AS key, ${recordSql('t', shapesOf(t, page.shapes))} AS raw FROM ${tableName(t)} t
     WHERE ${conditions.join(' AND ')} ORDER BY ${keys.join(', ')} LIMIT $1`,
    params,
  )
  return rows
}

/** The shapes whose every column the table has: another table's would name columns this one has not, which PostgreSQL refuses even in a branch never taken. */
function shapesOf(t: StreamTable, shapes: readonly RecordShape[] = []): RecordShape[] {
  const columns = new Set(t.columns.map((c) => c.name))
  return shapes.filter((shape) => shape.fields.every(([, column]) => column === null || columns.has(column)))
}

/**
 * Where an unfinished reprocess of the stream resumes (the key of the last row it committed), or
 * null once one completes. Saved in the transaction of the batch it follows (commit-batch.ts).
 */
export async function saveReprocessAfter(db: Queryable, source: string, stream: string, after: readonly string[] | null): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.stream_state (source, stream, reprocess_after, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (source, stream) DO UPDATE SET reprocess_after = EXCLUDED.reprocess_after, updated_at = now()`,
    [source, stream, after === null ? null : JSON.stringify(after)],
  )
}
