import type { DuckDBConnection } from '@duckdb/node-api'
import { HttpError } from '../shared/http.ts'
import { renderSql } from './athena-types.ts'
import type { SalesProDatabase } from './database.ts'
import type { RowValue } from './generators.ts'
import { buildNewRows } from './mutate-inserts.ts'
import { createPicker } from './mutate-picks.ts'
import { UPDATE_MAKERS } from './mutate-updates.ts'
import type { MutateContext, MutateRequest } from './mutate.ts'
import { explicitLiteral, generatedLiteral, sqlString, type ExplicitValue } from './sql-literals.ts'
import { addedValueSql } from './added-values.ts'
import { convertSql, quoteIdent, sqlType, TABLES, type Column, type TableSpec } from './tables.ts'
import { moveToEnd } from './time-order.ts'
import { formatTimestamp } from './timeline.ts'

/** one changed row: its key and the full new row as Athena renders it */
export interface ChangedRow {
  key: string | null
  values: Record<string, string | null>
}

export interface Change {
  key: string
  /** column → SQL literal */
  set: Record<string, string>
}

/** statements stay a bounded size however many rows a request touches */
const BATCH = 1000

/** RETURNING list: every column rendered as Athena prints it */
const returning = (spec: TableSpec) =>
  spec.columns.map((c) => `${renderSql(quoteIdent(c.name), sqlType(c))} AS ${quoteIdent(c.name)}`).join(', ')

const changedRows = (spec: TableSpec, rows: Record<string, unknown>[]): ChangedRow[] =>
  rows.map((row) => {
    const values = row as Record<string, string | null>
    return { key: spec.key ? values[spec.key] : null, values }
  })

function literals<T>(
  spec: TableSpec,
  values: Record<string, T>,
  toSql: (value: T, column: Column) => string,
): Record<string, string> {
  const column = (name: string) => spec.columns.find((c) => c.name === name)!
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, toSql(value, column(name))]))
}

/**
 * Generated values (in `TABLES`' column types) as literals of the table's current columns:
 * a column `POST /_admin/alter` retyped gets the value converted, a dropped one is left out.
 */
function generatedLiterals(spec: TableSpec, values: Record<string, RowValue>): Record<string, string> {
  const set: Record<string, string> = {}
  for (const [name, value] of Object.entries(values)) {
    const live = spec.columns.find((c) => c.name === name)
    if (!live) continue
    const generated = TABLES[spec.name].columns.find((c) => c.name === name)!
    set[name] = convertSql(generatedLiteral(value, generated), generated, live)
  }
  return set
}

export async function applyUpdates(
  connection: DuckDBConnection,
  context: MutateContext,
  spec: TableSpec,
  updates: NonNullable<MutateRequest['updates']>,
  atMs: number,
): Promise<ChangedRow[]> {
  let changes: Change[]
  if (typeof updates === 'number') {
    const keys = await createPicker(connection, context).keys(spec.name, updates)
    const make = UPDATE_MAKERS[spec.name as keyof typeof UPDATE_MAKERS]
    changes = keys.map((key) => {
      const values: Record<string, RowValue> = { ...make(context.random, atMs), updated_at: atMs }
      return { key, set: generatedLiterals(spec, values) }
    })
  } else {
    changes = updates.map(({ key, set }) => {
      const values: Record<string, ExplicitValue> = { updated_at: formatTimestamp(atMs), ...set }
      return { key, set: literals(spec, values, explicitLiteral) }
    })
  }
  return writeChanges(connection, context.db, spec, changes)
}

/** applies `changes` to existing rows and answers them as Athena renders them; an unknown key is a 400 */
export async function writeChanges(
  connection: DuckDBConnection,
  db: SalesProDatabase,
  spec: TableSpec,
  changes: readonly Change[],
): Promise<ChangedRow[]> {
  // one UPDATE … FROM (VALUES …) per distinct set of columns
  const groups = new Map<string, Change[]>()
  for (const change of changes) {
    const signature = Object.keys(change.set).sort().join(',')
    groups.set(signature, [...(groups.get(signature) ?? []), change])
  }
  const updated: ChangedRow[] = []
  for (const [signature, group] of groups) {
    for (let start = 0; start < group.length; start += BATCH) {
      const batch = group.slice(start, start + BATCH)
      updated.push(...(await updateBatch(connection, db, spec, signature.split(','), batch)))
    }
  }
  const found = new Set(updated.map((row) => row.key))
  const missing = changes.filter((c) => !found.has(c.key)).map((c) => c.key)
  if (missing.length > 0) throw new HttpError(400, `no ${spec.name} row with key ${missing.join(', ')}`)
  return updated
}

async function updateBatch(
  connection: DuckDBConnection,
  db: SalesProDatabase,
  spec: TableSpec,
  names: string[],
  batch: Change[],
): Promise<ChangedRow[]> {
  const tuples = batch.map((c) => `(${[sqlString(c.key), ...names.map((n) => c.set[n])].join(', ')})`)
  const assignments = names.map((n, i) => `${quoteIdent(n)} = __v.v${i}`).join(', ')
  const aliases = ['k', ...names.map((_, i) => `v${i}`)].join(', ')
  const sql = `UPDATE ${db.table(spec.name)} SET ${assignments}
    FROM (VALUES ${tuples.join(', ')}) AS __v(${aliases})
    WHERE ${quoteIdent(spec.key!)} = __v.k RETURNING ${returning(spec)}`
  const changed = changedRows(spec, (await connection.runAndReadAll(sql)).getRowObjectsJS())
  // the table stays in time order, so a read of what changed since a moment skips the rest
  await moveToEnd(connection, db, spec.name, batch.map((c) => c.key))
  return changed
}

export async function applyInserts(
  connection: DuckDBConnection,
  context: MutateContext,
  spec: TableSpec,
  inserts: NonNullable<MutateRequest['inserts']>,
  atMs: number,
): Promise<ChangedRow[]> {
  const explicit = Array.isArray(inserts) ? inserts : undefined
  const n = explicit ? explicit.length : (inserts as number)
  if (n === 0) return []
  // explicit rows start from a generated valid row, so a test names only the columns it cares about
  const generated = await buildNewRows(connection, context, spec.name, n, atMs)
  const generatedColumns = TABLES[spec.name].columns
  const rows = generated.map((row, i) =>
    spec.columns.map((column) => {
      const given = explicit?.[i]
      if (given && Object.hasOwn(given, column.name)) return explicitLiteral(given[column.name], column)
      const c = generatedColumns.findIndex((g) => g.name === column.name)
      // a column added by POST /_admin/alter: new rows get values too, as the app now writes them
      if (c < 0) return addedValueSql(column, context.random, atMs)
      return convertSql(generatedLiteral(row[c], generatedColumns[c]), generatedColumns[c], column)
    }),
  )
  const inserted: ChangedRow[] = []
  for (let start = 0; start < rows.length; start += BATCH) {
    const values = rows.slice(start, start + BATCH).map((row) => `(${row.join(', ')})`)
    const table = context.db.table(spec.name)
    const sql = `INSERT INTO ${table} VALUES ${values.join(', ')} RETURNING ${returning(spec)}`
    inserted.push(...changedRows(spec, (await connection.runAndReadAll(sql)).getRowObjectsJS()))
  }
  return inserted
}

export async function applyDeletes(
  connection: DuckDBConnection,
  db: SalesProDatabase,
  spec: TableSpec,
  keys: readonly string[],
): Promise<string[]> {
  if (keys.length === 0) return []
  const key = quoteIdent(spec.key!)
  const list = keys.map(sqlString).join(', ')
  const sql = `DELETE FROM ${db.table(spec.name)} WHERE ${key} IN (${list}) RETURNING ${key}`
  const rows = (await connection.runAndReadAll(sql)).getRowsJS()
  return [...new Set(rows.map(([k]) => String(k)))]
}
