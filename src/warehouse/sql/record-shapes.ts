import { SLIM_PREFIX, type RecordShape } from '../../record-shape.ts'
import { quoteIdent, quoteLiteral } from '../identifiers.ts'
import { tableName, type StreamTable } from '../stream-table.ts'
import type { Queryable } from '../types.ts'

/** SQL: whether the row `alias` names keeps its `_raw` slim */
export const isSlimSql = (alias: string) => `starts_with(${alias}."_raw"::text, '${SLIM_PREFIX}')`

/**
 * SQL of the record a row of a stream table holds (`alias` names the row): its `_raw`, or, when
 * slim, the record rebuilt from it and the row's columns. The test is inline so that a whole
 * `_raw` costs nothing more. A row of one of `shapes` is rebuilt by that shape's own expression
 * (~2 µs a row); any other by crmsync.record, which looks its shape up row by row (~15 µs: a
 * first load of 1M rows in history mode took twice as long).
 */
export function recordSql(alias: string, shapes: readonly RecordShape[] = []): string {
  const raw = `${alias}."_raw"`
  const looked = `crmsync.record(${raw}, to_jsonb(${alias}))`
  // json_build_object takes at most 100 arguments, two a field
  const known = shapes.filter((shape) => shape.fields.length <= 50)
  const rebuilt = known.length
    ? `CASE ${raw} ->> '~shape' ${known.map((shape) => `WHEN ${quoteLiteral(shape.id)} THEN ${shapeSql(alias, shape)}`).join(' ')} ELSE ${looked} END`
    : looked
  return `CASE WHEN ${isSlimSql(alias)} THEN ${rebuilt} ELSE ${raw} END`
}

/** One shape's record as crmsync.record builds it: each field from `_raw` when it is there, else from its column's text. */
function shapeSql(alias: string, shape: RecordShape): string {
  const fields = shape.fields.map(([field, column, kind]) => {
    const text = column === null || kind === 'raw' ? 'NULL::text' : `${alias}.${quoteIdent(column)}::text`
    const value = kind === 'timestamp' ? `to_char(${text}::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS')` : text
    return `${quoteLiteral(field)}, coalesce(${alias}."_raw" -> ${quoteLiteral(field)}, to_json(${value}), 'null'::json)`
  })
  return `json_build_object(${fields.join(', ')})`
}

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
    `UPDATE ${tableName(t)} t SET "_raw" = crmsync.record(t."_raw", to_jsonb(t)) WHERE ${isSlimSql('t')}`,
  )
  return rowCount
}

/** Every shape kept: a reader of many rows (a reprocess) rebuilds theirs by the shapes' own SQL. */
export async function listRecordShapes(db: Queryable): Promise<RecordShape[]> {
  const { rows } = await db.query<RecordShape>(`SELECT id, fields FROM crmsync.record_shapes ORDER BY id`)
  return rows
}
