import { PG_TYPES, type Column, type PgBaseType } from '../columns.ts'
import type { Logger } from '../log.ts'
import { qualified, quoteIdent } from './identifiers.ts'
import type { Queryable } from './types.ts'

/** Columns every stream table carries besides the source's own. */
export const META_COLUMNS = [
  // json keeps the record's text as received, and PostgreSQL takes it ~15% faster than jsonb,
  // which it would take apart into its binary form (docs/benchmarks.md, "Cheaper rows")
  { name: '_raw', sql: 'json' },
  // the first 16 bytes of the SHA-256 of the record as received: enough to tell a change, and a
  // third of the room of the whole digest as base64 text
  { name: '_hash', sql: 'bytea' },
  { name: '_synced_at', sql: 'timestamptz NOT NULL DEFAULT now()' },
  { name: '_run_id', sql: 'bigint' },
  { name: '_deleted_at', sql: 'timestamptz' },
  // what the load changed of the record: `{"changes":[{"field","change":"nulled","reason"}]}`, NULL when nothing
  { name: '_meta', sql: 'jsonb' },
] as const

export interface StreamTable {
  schema: string
  table: string
  columns: readonly Column[]
  primaryKey: readonly string[]
}

export const tableName = (t: Pick<StreamTable, 'schema' | 'table'>) => qualified(t.schema, t.table)

export async function createSchema(db: Queryable, schema: string): Promise<void> {
  try {
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`)
  } catch (error) {
    // a source's streams run side by side and each makes sure of the schema: IF NOT EXISTS looks
    // before it inserts, so of two at once the later meets the earlier's committed row in
    // pg_namespace's unique index, which means the schema is there
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error
  }
}

const UNIQUE_VIOLATION = '23505'

export async function createStreamTable(db: Queryable, t: StreamTable): Promise<void> {
  const columns = [
    ...t.columns.map((c) => `${quoteIdent(c.name)} ${c.type.sql}${c.key ? ' NOT NULL' : ''}`),
    ...META_COLUMNS.map((c) => `${quoteIdent(c.name)} ${c.sql}`),
  ]
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${tableName(t)} (${columns.join(', ')}, PRIMARY KEY (${t.primaryKey.map(quoteIdent).join(', ')}))`,
  )
}

/**
 * The keys of the soft-deleted rows, small beside the table: the merge asks which rows of a page
 * were deleted before it (to keep the row counts exact), an index-only look-up here.
 */
export async function createDeletedKeysIndex(db: Queryable, t: StreamTable): Promise<void> {
  await db.query(
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${t.table}__deleted`)} ON ${tableName(t)} (${t.primaryKey.map(quoteIdent).join(', ')}) WHERE "_deleted_at" IS NOT NULL`,
  )
}

export interface ColumnType {
  name: string
  /** as PostgreSQL spells it (format_type): trusted catalog text, never user input */
  sqlType: string
}

/**
 * A table's columns in order, with their exact types and their types without modifiers
 * (`numeric` for `numeric(12,2)`: the names information_schema gives); empty when the table does
 * not exist. Read from pg_attribute: information_schema.columns took ~11 ms to plan on each run's start.
 */
export async function listColumnTypes(db: Queryable, schema: string, table: string): Promise<(ColumnType & { baseType: string })[]> {
  const { rows } = await db.query<ColumnType & { baseType: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS "sqlType", format_type(a.atttypid, NULL) AS "baseType"
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [schema, table],
  )
  return rows
}

/** A table's columns and their types without modifiers; empty when there is no such table. */
export async function listTableColumns(db: Queryable, schema: string, table: string): Promise<Map<string, string>> {
  return new Map((await listColumnTypes(db, schema, table)).map((c) => [c.name, c.baseType]))
}

export async function addColumn(db: Queryable, t: Pick<StreamTable, 'schema' | 'table'>, column: Pick<Column, 'name' | 'type'>): Promise<void> {
  await db.query(`ALTER TABLE ${tableName(t)} ADD COLUMN IF NOT EXISTS ${quoteIdent(column.name)} ${column.type.sql}`)
}

/**
 * Tables written before crmsync kept `_raw` as json and `_hash` as 16 bytes had jsonb and the
 * whole SHA-256 as base64 text: converted in place, the hash cut to the 16 bytes a new read
 * computes for the same record, so unchanged rows stay unchanged (no rewrite, no new history
 * version). `types` maps the table's columns to their types (as format_type spells them).
 * Says whether it converted anything.
 */
export async function convertLegacyRawAndHash(db: Queryable, t: Pick<StreamTable, 'schema' | 'table'>, types: ReadonlyMap<string, string>): Promise<boolean> {
  const changes: string[] = []
  if (types.get('_raw') === 'jsonb') changes.push(`ALTER COLUMN "_raw" TYPE json USING "_raw"::json`)
  if (types.get('_hash') === 'text') changes.push(`ALTER COLUMN "_hash" TYPE bytea USING substring(decode("_hash", 'base64') FROM 1 FOR 16)`)
  if (changes.length === 0) return false
  await db.query(`ALTER TABLE ${tableName(t)} ${changes.join(', ')}`)
  return true
}

/**
 * Changes a column's type, converting the values it holds (a widening: every old value has a form
 * in the new type). `sqlType` is one of ours (src/columns.ts PG_TYPES), never user text.
 */
export async function retypeColumn(db: Queryable, t: Pick<StreamTable, 'schema' | 'table'>, name: string, sqlType: PgBaseType): Promise<void> {
  if (!PG_TYPES.includes(sqlType)) throw new Error(`not a column type crmsync writes: ${sqlType}`)
  const column = quoteIdent(name)
  await db.query(`ALTER TABLE ${tableName(t)} ALTER COLUMN ${column} TYPE ${sqlType} USING ${column}::${sqlType}`)
}

// the type names (as information_schema and format_type spell them) of our base types, to notice a column whose type drifted
const INFO_TYPE: Record<string, string> = {
  text: 'text',
  boolean: 'boolean',
  bigint: 'bigint',
  integer: 'integer',
  'double precision': 'double precision',
  numeric: 'numeric',
  timestamptz: 'timestamp with time zone',
  date: 'date',
  jsonb: 'jsonb',
}

/**
 * Creates the stream's table, or adds the columns the source grew since (schema evolution only
 * widens: a column is never dropped or retyped, a drifted type is reported and left alone).
 */
export async function ensureStreamTable(db: Queryable, t: StreamTable, log: Logger): Promise<{ created: boolean; added: string[] }> {
  await createSchema(db, t.schema)
  const existing = await listTableColumns(db, t.schema, t.table)
  if (existing.size === 0) {
    await createStreamTable(db, t)
    await createDeletedKeysIndex(db, t)
    return { created: true, added: [] }
  }
  const added: string[] = []
  for (const column of t.columns) {
    const found = existing.get(column.name)
    if (found === undefined) {
      await addColumn(db, t, column)
      added.push(column.name)
    } else if (found !== INFO_TYPE[column.type.base]) {
      log.warn({ column: column.name, warehouseType: found, sourceType: column.type.sql }, 'column type differs from the source schema; keeping the warehouse type')
    }
  }
  for (const meta of META_COLUMNS) if (!existing.has(meta.name)) await db.query(`ALTER TABLE ${tableName(t)} ADD COLUMN IF NOT EXISTS ${quoteIdent(meta.name)} ${meta.sql}`)
  if (await convertLegacyRawAndHash(db, t, existing)) log.info({ table: `${t.schema}.${t.table}` }, 'converted _raw to json and _hash to 16 bytes (once: the table was rewritten)')
  await createDeletedKeysIndex(db, t)
  if (added.length) log.info({ table: `${t.schema}.${t.table}`, added }, 'added columns the source now sends')
  return { created: false, added }
}
