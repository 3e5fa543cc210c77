import type { Queryable } from '../types.ts'

export type ColumnOrigin = 'declared' | 'source' | 'inferred' | 'pinned'
export type SchemaChangeKind = 'added' | 'widened' | 'dropped_at_source'

/** A stream table's column as the warehouse has it, with what crmsync.stream_columns knows of it. */
export interface StoredColumn {
  column_name: string
  /** PostgreSQL's own spelling of the type (`format_type`), e.g. `numeric(12,2)`, `timestamp with time zone` */
  sql_type: string
  origin: ColumnOrigin | null
  appeared_at: Date | null
  dropped_at: Date | null
}

/**
 * The table's columns in their order, each with its registry entry (NULLs when it has none: a table
 * older than the registry). Empty when the table does not exist.
 */
export async function listStoredColumns(db: Queryable, source: string, stream: string): Promise<StoredColumn[]> {
  const { rows } = await db.query<StoredColumn>(
    `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS sql_type, c.origin, c.appeared_at, c.dropped_at
     FROM pg_attribute a
     JOIN pg_class t ON t.oid = a.attrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     LEFT JOIN crmsync.stream_columns c ON c.source = $1 AND c.stream = $2 AND c.column_name = a.attname
     WHERE n.nspname = $1 AND t.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    [source, stream],
  )
  return rows
}

/** Notes a column in the registry, or its new type / origin / dropped state. */
export async function upsertStreamColumn(
  db: Queryable,
  column: { source: string; stream: string; name: string; sqlType: string; origin: ColumnOrigin; runId: number | null; dropped: boolean },
): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.stream_columns (source, stream, column_name, sql_type, origin, appeared_run_id, dropped_at)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::boolean THEN now() END)
     ON CONFLICT (source, stream, column_name) DO UPDATE SET sql_type = EXCLUDED.sql_type, origin = EXCLUDED.origin,
       dropped_at = CASE WHEN $7::boolean THEN coalesce(crmsync.stream_columns.dropped_at, now()) END`,
    [column.source, column.stream, column.name, column.sqlType, column.origin, column.runId, column.dropped],
  )
}

/** Registers the declared columns a table has (once: a column already known keeps its entry). */
export async function registerDeclaredColumns(db: Queryable, source: string, stream: string, columns: readonly { name: string; sqlType: string }[]): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.stream_columns (source, stream, column_name, sql_type, origin)
     SELECT $1, $2, c.name, c.sql_type, 'declared' FROM unnest($3::text[], $4::text[]) AS c(name, sql_type)
     ON CONFLICT (source, stream, column_name) DO NOTHING`,
    [source, stream, columns.map((c) => c.name), columns.map((c) => c.sqlType)],
  )
}

export interface SchemaChangeRow {
  id: number
  source: string
  stream: string
  column_name: string
  change: SchemaChangeKind
  from_type: string | null
  to_type: string | null
  run_id: number | null
  created_at: Date
}

export async function insertSchemaChange(
  db: Queryable,
  change: { source: string; stream: string; column: string; change: SchemaChangeKind; fromType: string | null; toType: string | null; runId: number | null },
): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.schema_changes (source, stream, column_name, change, from_type, to_type, run_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [change.source, change.stream, change.column, change.change, change.fromType, change.toType, change.runId],
  )
}

/** A source's (or one stream's) recorded changes, oldest first. */
export async function listSchemaChanges(db: Queryable, source: string, stream?: string): Promise<SchemaChangeRow[]> {
  const { rows } = await db.query<SchemaChangeRow>(
    `SELECT id::int, source, stream, column_name, change, from_type, to_type, run_id::int, created_at
     FROM crmsync.schema_changes WHERE source = $1 AND ($2::text IS NULL OR stream = $2) ORDER BY id`,
    [source, stream ?? null],
  )
  return rows
}

/** The newest `limit` changes of one stream, newest first; `total` counts them all (0 rows: none). */
export async function listRecentSchemaChanges(db: Queryable, source: string, stream: string, limit: number): Promise<(SchemaChangeRow & { total: number })[]> {
  const { rows } = await db.query<SchemaChangeRow & { total: number }>(
    `SELECT id::int, source, stream, column_name, change, from_type, to_type, run_id::int, created_at, count(*) OVER ()::int AS total
     FROM crmsync.schema_changes WHERE source = $1 AND stream = $2 ORDER BY id DESC LIMIT $3`,
    [source, stream, limit],
  )
  return rows
}

export interface DbRecentShapeChange {
  source: string
  stream: string
  changes: number
  last_at: Date
}

/** The streams whose tables changed shape since an instant, with how many changes and the last one's time. */
export async function streamsChangedSince(db: Queryable, since: Date): Promise<DbRecentShapeChange[]> {
  const { rows } = await db.query<DbRecentShapeChange>(
    `SELECT source, stream, count(*)::int AS changes, max(created_at) AS last_at FROM crmsync.schema_changes
     WHERE created_at >= $1 GROUP BY source, stream`,
    [since],
  )
  return rows
}
