import { listSchemaChanges, listStoredColumns, type ColumnOrigin, type SchemaChangeKind, type SchemaChangeRow, type StoredColumn } from './sql/stream-columns.ts'
import type { Queryable } from './types.ts'

/**
 * A stream table's shape as the surfaces show it (`crmsync schema`, the dashboard's stream page):
 * its columns with where their types came from, apart from crmsync's own, and its recorded changes
 * (docs/design.md §3.12). Read from the warehouse only: no connector, no credentials.
 */

/** crmsync's own columns on every stream table (docs/design.md §4); like the engine, any `_` name is one of them. */
export const isMetaColumn = (name: string) => name.startsWith('_')

export interface ColumnView {
  name: string
  /** PostgreSQL's spelling (`format_type`) */
  type: string
  origin: ColumnOrigin
  /** when crmsync.stream_columns first noted it; null when it has no entry */
  appearedAt: Date | null
  /** when the source stopped sending it (the column is kept); null while it still does */
  droppedAt: Date | null
}

export interface ChangeView {
  id: number
  column: string
  change: SchemaChangeKind
  fromType: string | null
  toType: string | null
  runId: number | null
  createdAt: Date
}

/**
 * A column with its registry entry. A source column the registry does not know (a table older than
 * the registry whose stream has not run since) says `source`, as the engine itself takes it.
 */
export const columnView = (c: StoredColumn): ColumnView => ({
  name: c.column_name,
  type: c.sql_type,
  origin: c.origin ?? 'source',
  appearedAt: c.appeared_at,
  droppedAt: c.dropped_at,
})

export const changeView = (r: SchemaChangeRow): ChangeView => ({
  id: r.id,
  column: r.column_name,
  change: r.change,
  fromType: r.from_type,
  toType: r.to_type,
  runId: r.run_id,
  createdAt: r.created_at,
})

export interface StreamSchema {
  /** false when the stream has no table (yet): its lists are then empty */
  exists: boolean
  columns: ColumnView[]
  /** `_raw`, `_hash`, `_synced_at`, `_run_id`, `_deleted_at`, `_meta`: name and type */
  meta: { name: string; type: string }[]
  /** oldest first */
  changes: ChangeView[]
}

export async function describeStreamSchema(db: Queryable, source: string, stream: string): Promise<StreamSchema> {
  const stored = await listStoredColumns(db, source, stream)
  const changes = await listSchemaChanges(db, source, stream)
  return {
    exists: stored.length > 0,
    columns: stored.filter((c) => !isMetaColumn(c.column_name)).map(columnView),
    meta: stored.filter((c) => isMetaColumn(c.column_name)).map((c) => ({ name: c.column_name, type: c.sql_type })),
    changes: changes.map(changeView),
  }
}
