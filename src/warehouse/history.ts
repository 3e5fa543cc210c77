import { qualified, quoteIdent } from './identifiers.ts'
import { META_COLUMNS, tableName, type ColumnType, type StreamTable } from './stream-table.ts'
import type { Queryable } from './types.ts'
import type { RecordShape } from '../record-shape.ts'
import { recordSql } from './sql/record-shapes.ts'

/**
 * History mode (docs/design.md §4, "History mode" in the README): a stream whose contract says
 * `"history": true` keeps `<schema>.<table>__history`, every version of every row.
 *
 * The rules every statement here keeps:
 * - A key's versions never overlap and are contiguous: closing a version sets its `_valid_to` to
 *   the next version's `_valid_from`.
 * - Every row of the stream table, live or soft-deleted, has exactly ONE current version
 *   (`_is_current`, `_valid_to` NULL), and its `_hash` and `_deleted` are the row's. A soft delete
 *   closes the live version and adds a current version with `_deleted` true; a row that comes back
 *   gets a new live current version.
 * - A version starts at the source's time for it: its `_deleted_at` for a version that deletes a
 *   live row, else the stream's cursor column (when it is a timestamp), else `_synced_at`. THE TIE
 *   RULE: a start not after the current version's (a cursor tie, a clock behind, a forced run
 *   writing an older version) is moved to the current version's start plus one microsecond:
 *   `greatest(start, current._valid_from + 1 µs)`, so validity stays non-empty and ordered.
 * - A version is written when a row differs from its current version (`_hash` or deleted), never
 *   otherwise: the statements compare, so they are idempotent. A page read again, a row the merge
 *   skipped as unchanged, a bisection's retried range add nothing; and they run in the
 *   transaction (and the savepoint) of the write they follow, so a crash leaves no orphan.
 */

export const historyTable = (t: Pick<StreamTable, 'schema' | 'table'>) => ({ schema: t.schema, table: `${t.table}__history` })
export const historyName = (t: Pick<StreamTable, 'schema' | 'table'>) => qualified(t.schema, `${t.table}__history`)

/** crmsync's columns of a history table, beside the source's columns. */
export const HISTORY_COLUMNS = ['_raw', '_hash', '_valid_from', '_valid_to', '_is_current', '_deleted', '_run_id'] as const

/** Where a version's rows come from, and how they start: what a caller tells the statement. */
export interface VersionSource {
  /** the history table's key and the source columns copied from the stream table */
  table: Pick<StreamTable, 'schema' | 'table' | 'primaryKey'>
  columns: readonly string[]
  /** the stream's cursor column, used for `_valid_from` only when it holds a timestamp or date */
  cursorColumn?: string
  /** the shapes the batch's slim rows name: their records are rebuilt by the shapes' own SQL */
  shapes?: readonly RecordShape[]
}

/** A table's primary key columns, in key order (the CLI finds a stream's key without its connector). */
export async function primaryKeyOf(db: Queryable, schema: string, table: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
     WHERE n.nspname = $1 AND c.relname = $2 AND i.indisprimary ORDER BY k.ord`,
    [schema, table],
  )
  return rows.map((r) => r.name)
}

/** The source's columns of a stream table (crmsync's own left out), as the catalog has them. */
export const sourceColumns = (columns: readonly ColumnType[]) => {
  const meta = new Set<string>([...META_COLUMNS.map((m) => m.name), ...HISTORY_COLUMNS])
  return columns.filter((c) => !meta.has(c.name))
}

export async function createHistoryTable(db: Queryable, t: Pick<StreamTable, 'schema' | 'table'>, columns: readonly ColumnType[]): Promise<void> {
  const defs = [
    ...columns.map((c) => `${quoteIdent(c.name)} ${c.sqlType}`),
    '"_raw" json',
    '"_hash" bytea',
    '"_valid_from" timestamptz NOT NULL',
    '"_valid_to" timestamptz',
    '"_is_current" boolean NOT NULL',
    '"_deleted" boolean NOT NULL',
    '"_run_id" bigint',
  ]
  await db.query(`CREATE TABLE IF NOT EXISTS ${historyName(t)} (${defs.join(', ')})`)
}

/** A key's versions in order; unique, so two versions of a key can never start at once. */
export async function createHistoryKeyIndex(db: Queryable, t: Pick<StreamTable, 'schema' | 'table' | 'primaryKey'>): Promise<void> {
  const keys = t.primaryKey.map(quoteIdent).join(', ')
  await db.query(`CREATE UNIQUE INDEX IF NOT EXISTS ${quoteIdent(`${t.table}__history_key`)} ON ${historyName(t)} (${keys}, "_valid_from")`)
}

/** The current versions by key: what every write looks its rows' current versions up with. */
export async function createHistoryCurrentIndex(db: Queryable, t: Pick<StreamTable, 'schema' | 'table' | 'primaryKey'>): Promise<void> {
  const keys = t.primaryKey.map(quoteIdent).join(', ')
  await db.query(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${t.table}__history_current`)} ON ${historyName(t)} (${keys}) WHERE "_is_current"`)
}

/** A column the stream table has and its history lacks (the table grew), or retyped to the table's type. */
export async function addHistoryColumn(db: Queryable, t: Pick<StreamTable, 'schema' | 'table'>, column: ColumnType): Promise<void> {
  await db.query(`ALTER TABLE ${historyName(t)} ADD COLUMN IF NOT EXISTS ${quoteIdent(column.name)} ${column.sqlType}`)
}

export async function retypeHistoryColumn(db: Queryable, t: Pick<StreamTable, 'schema' | 'table'>, column: ColumnType): Promise<void> {
  const name = quoteIdent(column.name)
  await db.query(`ALTER TABLE ${historyName(t)} ALTER COLUMN ${name} TYPE ${column.sqlType} USING ${name}::${column.sqlType}`)
}

const TIME_TYPES = new Set(['timestamp with time zone', 'timestamptz', 'timestamp without time zone', 'date'])

/** The stream's cursor column when its values can start a version (a timestamp or a date), else undefined. */
export function timeCursor(columns: readonly { name: string; sqlType: string }[], cursorField: string | undefined): string | undefined {
  const found = cursorField === undefined ? undefined : columns.find((c) => c.name === cursorField)
  return found && TIME_TYPES.has(found.sqlType.replace(/\(.*\)$/, '')) ? found.name : undefined
}

/**
 * The one statement every version write is: for the stream table's rows `t` that `rows` selects,
 * those that differ from their current version (or have none) get a new current version, and the
 * version they supersede is closed where the new one starts. One statement, so the close and the
 * insert see the same snapshot (the close cannot touch the version inserted beside it).
 */
function versionStatement(v: VersionSource, rows: string): string {
  const h = historyName(v.table)
  const cols = v.columns.map(quoteIdent)
  const keyMatch = (a: string, b: string) => v.table.primaryKey.map((k) => `${a}.${quoteIdent(k)} = ${b}.${quoteIdent(k)}`).join(' AND ')
  // a delete starts when the row was deleted; any other version (a deleted row the source changed
  // again included) at the source's time for it, or when it was synced
  const changedAt = `coalesce(${v.cursorColumn ? `t.${quoteIdent(v.cursorColumn)}::timestamptz, ` : ''}t."_synced_at")`
  const at = `CASE WHEN t."_deleted_at" IS NOT NULL AND cur."_deleted" IS NOT TRUE THEN t."_deleted_at" ELSE ${changedAt} END`
  return `WITH changed AS (
      SELECT ${cols.map((c) => `t.${c}`).join(', ')}${cols.length ? ', ' : ''}${recordSql('t', v.shapes)} AS "_raw", t."_hash", t."_run_id", t."_deleted_at" IS NOT NULL AS "_deleted",
        CASE WHEN cur."_valid_from" IS NULL THEN ${at} ELSE greatest(${at}, cur."_valid_from" + interval '1 microsecond') END AS "_valid_from",
        cur."_valid_from" AS "crmsync_current_from"
      FROM ${rows}
      LEFT JOIN ${h} cur ON ${keyMatch('cur', 't')} AND cur."_is_current"
      WHERE cur."_valid_from" IS NULL OR cur."_hash" IS DISTINCT FROM t."_hash" OR cur."_deleted" <> (t."_deleted_at" IS NOT NULL)
    ), closed AS (
      UPDATE ${h} old SET "_valid_to" = c."_valid_from", "_is_current" = false
      -- by the unique (key, _valid_from) index: a join on the key alone scans the whole history
      -- table when its statistics are young (a first load), once per batch
      FROM changed c WHERE ${keyMatch('old', 'c')} AND old."_valid_from" = c."crmsync_current_from" AND old."_is_current"
    )
    INSERT INTO ${h} (${[...cols, '"_raw"', '"_hash"', '"_run_id"', '"_deleted"', '"_valid_from"', '"_valid_to"', '"_is_current"'].join(', ')})
    SELECT ${[...cols, '"_raw"', '"_hash"', '"_run_id"', '"_deleted"', '"_valid_from"'].join(', ')}, NULL, true FROM changed`
}

/** `t` joined to staged rows `[from, to]` (merge.ts's temp stage), by key. */
function stagedRows(v: VersionSource, keyTypes: ReadonlyMap<string, string>): string {
  const on = v.table.primaryKey.map((k) => `t.${quoteIdent(k)} = s.${quoteIdent(k)}::${keyTypes.get(k) ?? 'text'}`).join(' AND ')
  return `${tableName(v.table)} t JOIN (SELECT * FROM "crmsync_stage" WHERE "_row" BETWEEN $1 AND $2) s ON ${on}`
}

/**
 * Versions for the rows merged from staged rows `[from, to]`: called right after the merge of that
 * range, inside its savepoint (so a range bisection rolls back rolls its versions back too).
 */
export async function writeVersionsFromStage(db: Queryable, v: VersionSource, keyTypes: ReadonlyMap<string, string>, from: number, to: number): Promise<number> {
  const { rowCount } = await db.query(versionStatement(v, stagedRows(v, keyTypes)), [from, to])
  return rowCount
}

/** Versions for write mode `replace`'s soft deletes: the deleted children of the parents in `scopes`. */
export async function writeVersionsOfScopes(db: Queryable, v: VersionSource, scopeColumn: string, scopes: readonly string[]): Promise<number> {
  const rows = `(SELECT * FROM ${tableName(v.table)} WHERE ${quoteIdent(scopeColumn)}::text = ANY($1::text[]) AND "_deleted_at" IS NOT NULL) t`
  const { rowCount } = await db.query(versionStatement(v, rows), [scopes])
  return rowCount
}

/** Versions for a full pass's soft deletes: the deleted rows the pass did not see (after softDeleteUnseen). */
export async function writeVersionsOfUnseen(db: Queryable, v: VersionSource, passId: string): Promise<number> {
  const parts = v.table.primaryKey.map((k) => `d.${quoteIdent(k)}::text`)
  const key = parts.length === 1 ? parts[0] : `concat_ws(chr(31), ${parts.join(', ')})`
  const rows = `(SELECT * FROM ${tableName(v.table)} d WHERE d."_deleted_at" IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM crmsync.pass_keys k WHERE k.pass_id = $1 AND k.record_key = ${key})) t`
  const { rowCount } = await db.query(versionStatement(v, rows), [passId])
  return rowCount
}

/** One current version for every row that has none: the seed of a history turned on for a table with data. */
export async function seedVersions(db: Queryable, v: VersionSource): Promise<number> {
  const { rowCount } = await db.query(versionStatement(v, `${tableName(v.table)} t`))
  return rowCount
}

/**
 * THE HOOK FOR REPROCESS (a run that rewrites typed columns from `_raw` without a new version of
 * the source's record): the current versions of the staged rows `[from, to]` take the stream
 * table's columns in place — no version added, validity untouched. Call it right after the
 * statement that rewrote those rows, in its transaction (and savepoint), with the same stage.
 */
export async function updateCurrentVersions(db: Queryable, v: VersionSource, keyTypes: ReadonlyMap<string, string>, from: number, to: number): Promise<number> {
  const h = historyName(v.table)
  // a version keeps its whole record: a slim `_raw` is rebuilt from the row it belongs to
  const sets = [...v.columns, '_hash'].map((c) => `${quoteIdent(c)} = t.${quoteIdent(c)}`).concat(`"_raw" = ${recordSql('t')}`)
  const match = v.table.primaryKey.map((k) => `cur.${quoteIdent(k)} = t.${quoteIdent(k)}`).join(' AND ')
  const { rowCount } = await db.query(
    `UPDATE ${h} cur SET ${sets.join(', ')} FROM ${stagedRows(v, keyTypes)} WHERE ${match} AND cur."_is_current"`,
    [from, to],
  )
  return rowCount
}

export interface VersionRow {
  /** ISO-8601 in UTC to the microsecond (a Date would drop the microseconds the tie rule adds) */
  validFrom: string
  validTo: string | null
  isCurrent: boolean
  deleted: boolean
  runId: number | null
  hash: string | null
  /** the version's source columns and `_raw` */
  values: Record<string, unknown>
}

const isoMicros = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/** A key's versions, oldest first; `key` holds the key's parts as text, in key order. */
export async function listVersions(db: Queryable, t: Pick<StreamTable, 'schema' | 'table' | 'primaryKey'>, key: readonly string[]): Promise<VersionRow[]> {
  const where = t.primaryKey.map((k, i) => `${quoteIdent(k)}::text = $${i + 1}`).join(' AND ')
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT *, ${isoMicros('"_valid_from"')} AS "crmsync_from", ${isoMicros('"_valid_to"')} AS "crmsync_to"
     FROM ${historyName(t)} WHERE ${where} ORDER BY "_valid_from"`,
    key,
  )
  return rows.map((r) => {
    const { _valid_from, _valid_to, _is_current, _deleted, _run_id, _hash, crmsync_from, crmsync_to, ...values } = r
    return {
      validFrom: crmsync_from as string,
      validTo: (crmsync_to as string | null) ?? null,
      isCurrent: _is_current as boolean,
      deleted: _deleted as boolean,
      runId: _run_id === null ? null : Number(_run_id),
      // 16 bytes as base64, as the history's JSON has always shown a hash
      hash: _hash === null || _hash === undefined ? null : Buffer.from(_hash as Uint8Array).toString('base64'),
      values,
    }
  })
}

/**
 * A stream's versions and the keys they belong to, for the dashboard; undefined when the stream
 * keeps no history table. (A count: cheap enough for a page, which shows one stream.)
 */
export async function countVersions(db: Queryable, t: Pick<StreamTable, 'schema' | 'table'>): Promise<number | undefined> {
  const { rows } = await db.query<{ name: string | null }>(`SELECT to_regclass($1)::text AS name`, [historyName(t)])
  if (rows[0].name === null) return undefined
  const counted = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${historyName(t)}`)
  return counted.rows[0].n
}
