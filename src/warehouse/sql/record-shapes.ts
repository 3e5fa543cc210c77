import type { RecordShape } from '../../record-shape.ts'
import { SLIM_PREFIX } from '../../record-shape.ts'
import type { Queryable } from '../types.ts'

/**
 * SQL of the record a row of a stream table holds (`alias` names the row): its `_raw`, or, when
 * slim, the record crmsync.record rebuilds from it and the row's columns. The test is inline so
 * that a whole `_raw` (most rows of most tables) costs no function call and no `to_jsonb`.
 */
export const recordSql = (alias: string) =>
  `CASE WHEN starts_with(${alias}."_raw"::text, '${SLIM_PREFIX}') THEN crmsync.record(${alias}."_raw", to_jsonb(${alias})) ELSE ${alias}."_raw" END`

/** Keeps shapes that slim rows are about to name, in the transaction that writes those rows (a shape already kept stays as it is). */
export async function saveRecordShapes(db: Queryable, shapes: readonly RecordShape[]): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.record_shapes (id, fields) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT (id) DO NOTHING`,
    [shapes.map((s) => s.id), shapes.map((s) => JSON.stringify(s.fields))],
  )
}
