import type { RecordShape } from '../../record-shape.ts'
import { SLIM_PREFIX } from '../../record-shape.ts'
import { tableName, type StreamTable } from '../stream-table.ts'
import type { Queryable } from '../types.ts'

/**
 * SQL of the record a row of a stream table holds (`alias` names the row): its `_raw`, or, when
 * slim, the record crmsync.record rebuilds from it and the row's columns. The test is inline so
 * that a whole `_raw` (most rows of most tables) costs no function call and no `to_jsonb`.
 */
export const recordSql = (alias: string) =>
  `CASE WHEN starts_with(${alias}."_raw"::text, '${SLIM_PREFIX}') THEN crmsync.record(${alias}."_raw", to_jsonb(${alias})) ELSE ${alias}."_raw" END`

/**
 * Keeps shapes that slim rows are about to name, in the transaction that writes those rows (a
 * shape already kept stays as it is). In id order: two runs keeping the same two shapes at once
 * wait for each other in the same order, never in a circle.
 */
export async function saveRecordShapes(db: Queryable, shapes: readonly RecordShape[]): Promise<void> {
  const sorted = [...shapes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  await db.query(
    `INSERT INTO crmsync.record_shapes (id, fields) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT (id) DO NOTHING`,
    [sorted.map((s) => s.id), sorted.map((s) => JSON.stringify(s.fields))],
  )
}

/**
 * Stores every slim row's record whole, before a column's type is pinned to another: the pin may
 * not keep the text a slim record is rebuilt from (a timestamp cut to its date, `007` as 7).
 */
export async function makeRecordsWhole(db: Queryable, t: Pick<StreamTable, 'schema' | 'table'>): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE ${tableName(t)} t SET "_raw" = crmsync.record(t."_raw", to_jsonb(t)) WHERE starts_with(t."_raw"::text, '${SLIM_PREFIX}')`,
  )
  return rowCount
}
