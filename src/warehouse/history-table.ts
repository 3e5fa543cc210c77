import type { Column } from '../columns.ts'
import { SyncError } from '../errors.ts'
import type { RecordShape } from '../record-shape.ts'
import {
  addHistoryColumn,
  createHistoryCurrentIndex,
  createHistoryKeyIndex,
  createHistoryTable,
  historyTable,
  retypeHistoryColumn,
  seedVersions,
  sourceColumns,
  timeCursor,
  type VersionSource,
} from './history.ts'
import { convertLegacyRawAndHash, listColumnTypes, type StreamTable } from './stream-table.ts'
import type { Queryable } from './types.ts'

/**
 * Makes a stream's history table follow its table: created (with one current version per row the
 * table already holds, so turning history on for a stream with data starts from what is there),
 * or given the columns the table grew since and the types it widened to, and, when `catchUp`
 * (runs without history wrote the table since the history was last kept), a version for every
 * row that differs from its current version. Run it in a transaction: the table, its indexes and
 * its versions commit together, or none does.
 */
export async function ensureHistoryTable(db: Queryable, t: StreamTable, cursorField: string | undefined, catchUp = false): Promise<{ created: boolean; seeded: number }> {
  // a version belongs to a key: a stream without one has nothing to keep versions of
  if (t.primaryKey.length === 0) throw new SyncError('config_invalid', `${t.schema}.${t.table} has no primary key, so it cannot keep a history: remove "history": true from sources.${t.schema}.streams.${t.table}`)
  const columns = sourceColumns(await listColumnTypes(db, t.schema, t.table))
  const h = historyTable(t)
  const existing = await listColumnTypes(db, h.schema, h.table)
  if (existing.length === 0) {
    await createHistoryTable(db, t, columns)
    await createHistoryKeyIndex(db, t)
    await createHistoryCurrentIndex(db, t)
    const seeded = await seedVersions(db, { table: t, columns: columns.map((c) => c.name), cursorColumn: timeCursor(columns, cursorField) })
    return { created: true, seeded }
  }
  const types = new Map(existing.map((c) => [c.name, c.sqlType]))
  await convertLegacyRawAndHash(db, h, types)
  for (const column of columns) {
    const found = types.get(column.name)
    if (found === undefined) await addHistoryColumn(db, t, column)
    else if (found !== column.sqlType) await retypeHistoryColumn(db, t, column)
  }
  if (!catchUp) return { created: false, seeded: 0 }
  const seeded = await seedVersions(db, { table: t, columns: columns.map((c) => c.name), cursorColumn: timeCursor(columns, cursorField) })
  return { created: false, seeded }
}

/** What a batch's version statements copy: the columns it is encoded for, and where versions start. */
export function batchVersionSource(
  t: StreamTable,
  columns: readonly Column[],
  cursorField: string | undefined,
  shapes?: readonly RecordShape[],
): { source: VersionSource; keyTypes: Map<string, string> } {
  const typed = columns.map((c) => ({ name: c.name, sqlType: c.type.sql }))
  return {
    source: { table: t, columns: columns.map((c) => c.name), cursorColumn: timeCursor(typed, cursorField), shapes },
    keyTypes: new Map(columns.filter((c) => t.primaryKey.includes(c.name)).map((c) => [c.name, c.type.sql])),
  }
}

/** What a statement outside a batch copies (a full pass's deletes): the history table's own columns. */
export async function storedVersionSource(db: Queryable, t: StreamTable): Promise<VersionSource> {
  const h = historyTable(t)
  return { table: t, columns: sourceColumns(await listColumnTypes(db, h.schema, h.table)).map((c) => c.name) }
}
