import type { DuckDBConnection } from '@duckdb/node-api'
import { z } from 'zod'
import { HttpError } from '../shared/http.ts'
import type { Random } from '../shared/random.ts'
import { addedValueSql, DRIFT_TEXTS } from './added-values.ts'
import { createPicker } from './mutate-picks.ts'
import { writeChanges, type Change, type ChangedRow } from './mutate-sql.ts'
import type { MutateContext } from './mutate.ts'
import { sqlString } from './sql-literals.ts'
import {
  ATHENA_TABLES,
  convertSql,
  cursorColumn,
  quoteIdent,
  sqlType,
  type AthenaTable,
  type Column,
  type TableSpec,
} from './tables.ts'
import { formatTimestamp, parseTimestamp } from './timeline.ts'

/**
 * `POST /_admin/alter`: the source's shape changes the way a SalesPro release changes it (a
 * column appears, one changes type, one goes away), and some rows are touched so an incremental
 * read meets the new shape at once. DuckDB's ALTER TABLE does the work, so `SELECT *`, its
 * ColumnInfo and the CSV in S3 all follow without anything else knowing.
 */

const SIMPLE_TYPES: Readonly<Record<string, Column['type']>> = {
  VARCHAR: 'varchar',
  INTEGER: 'integer',
  INT: 'integer',
  BIGINT: 'bigint',
  DOUBLE: 'double',
  BOOLEAN: 'boolean',
  TIMESTAMP: 'timestamp',
  DATE: 'date',
}
const TYPE_NAMES = 'VARCHAR, INTEGER, BIGINT, DOUBLE, BOOLEAN, DECIMAL(p,s), TIMESTAMP or DATE'

/** an Athena DDL type as a column type, or undefined for one the emulator does not model */
export function parseAthenaType(text: string): Omit<Column, 'name'> | undefined {
  const t = text.trim().toUpperCase()
  if (SIMPLE_TYPES[t]) return { type: SIMPLE_TYPES[t] }
  const decimal = /^DECIMAL\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t)
  if (!decimal) return undefined
  const [precision, scale] = [Number(decimal[1]), Number(decimal[2])]
  // Athena's decimal: precision 1–38, scale at most the precision
  if (precision < 1 || precision > 38 || scale > precision) return undefined
  return { type: 'decimal', precision, scale }
}

const athenaType = z.string().transform((text, ctx) => {
  const type = parseAthenaType(text)
  if (type) return type
  ctx.addIssue({
    code: 'custom',
    message: `unknown Athena type ${JSON.stringify(text)}: expected ${TYPE_NAMES}`,
  })
  return z.NEVER
})
// Athena lower-cases identifiers; a name that needs quoting is one no SalesPro release would use
const columnName = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a column name is lower-case letters, digits and _')
const timestamp = z
  .string()
  .refine((text) => parseTimestamp(text) !== undefined, 'expected YYYY-MM-DD HH:MM:SS.fff')

export const alterSchema = z
  .object({
    table: z.enum(ATHENA_TABLES),
    add: z.array(z.object({ name: columnName, type: athenaType }).strict()).default([]),
    /** values are converted to the new type; some touched rows of a VARCHAR retype get text */
    retype: z.array(z.object({ name: z.string(), type: athenaType }).strict()).default([]),
    drop: z.array(z.string()).default([]),
    /** existing valid rows (seeded picks) that get values for the changed columns and `updated_at = at` */
    touch: z.number().int().nonnegative().max(1_000_000).default(0),
    /** when the touch happens: `YYYY-MM-DD HH:MM:SS.fff` (UTC); default now */
    at: timestamp.optional(),
  })
  .strict()

export type AlterRequest = z.infer<typeof alterSchema>

export interface AlterResult {
  table: AthenaTable
  added: string[]
  retyped: string[]
  dropped: string[]
  /** each touched row's key and its new values: `updated_at` and the added and retyped columns */
  touched: { key: string; values: Record<string, string | null> }[]
}

const badRequest = (message: string) => new HttpError(400, message)

export function parseAlterRequest(body: unknown): AlterRequest {
  const parsed = alterSchema.safeParse(body)
  if (!parsed.success) throw badRequest(`invalid alter request: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

/**
 * The columns the emulator itself stands on: the key (rows are picked, updated and counted by
 * it), the cursor column (every incremental read orders and filters by it) and the lead-results
 * JSON (the line-item counts are computed from it). Changing them would break the emulator,
 * not exercise a client.
 */
function protectedColumns(spec: TableSpec): Map<string, string> {
  const reasons = new Map<string, string>()
  if (spec.key) reasons.set(spec.key, `${spec.key} is ${spec.name}'s key`)
  const cursor = cursorColumn(spec)
  reasons.set(cursor, `${cursor} is ${spec.name}'s cursor column (incremental reads follow it)`)
  if (spec.name === 'lead_results') {
    reasons.set('lead_results', 'lead_results holds the JSON the line items come from')
  }
  return reasons
}

const KINDS: Readonly<Record<Column['type'], string>> = {
  varchar: 'text',
  integer: 'number',
  bigint: 'number',
  double: 'number',
  decimal: 'number',
  boolean: 'boolean',
  timestamp: 'time',
  date: 'time',
}

/**
 * Whether values survive a retype: anything becomes text and text becomes anything (what does
 * not parse is NULL), numbers stay numbers, times stay times, booleans become 0/1. A timestamp
 * read as a BIGINT is not a schema change but a broken table (Athena fails such reads), so the
 * emulator refuses it instead of quietly making every value NULL.
 */
function convertible(from: Column['type'], to: Column['type']): boolean {
  const [a, b] = [KINDS[from], KINDS[to]]
  if (a === b || a === 'text' || b === 'text') return true
  const integers = new Set<Column['type']>(['integer', 'bigint'])
  return (a === 'boolean' && integers.has(to)) || (b === 'boolean' && integers.has(from))
}

function duplicates(names: readonly string[]): string[] {
  return [...new Set(names.filter((name, i) => names.indexOf(name) !== i))]
}

/** the request checked against the table's current shape, before anything changes: the new shape, or a 400 */
export function checkAlter(spec: TableSpec, request: AlterRequest): TableSpec {
  const table = spec.name
  const existing = new Map(spec.columns.map((c) => [c.name, c]))
  const guarded = protectedColumns(spec)
  const problems: string[] = []
  const names = [...request.add.map((c) => c.name), ...request.retype.map((c) => c.name), ...request.drop]
  for (const name of duplicates(names)) problems.push(`${name} is named twice`)
  for (const { name } of request.add) {
    if (existing.has(name)) problems.push(`${table} already has a column ${name}`)
  }
  for (const { name, type } of request.retype) {
    const column = existing.get(name)
    if (!column) problems.push(`${table} has no column ${name} to retype`)
    else if (guarded.has(name)) problems.push(`${guarded.get(name)}: it cannot be retyped`)
    else if (sqlType(column) === sqlType(type)) problems.push(`${table}.${name} already is ${sqlType(type)}`)
    else if (!convertible(column.type, type.type)) {
      problems.push(`${table}.${name} is ${sqlType(column)}: its values cannot be read as ${sqlType(type)}`)
    }
  }
  for (const name of request.drop) {
    if (!existing.has(name)) problems.push(`${table} has no column ${name} to drop`)
    else if (guarded.has(name)) problems.push(`${guarded.get(name)}: it cannot be dropped`)
  }
  if (request.touch > 0 && !spec.updatable) {
    problems.push(`${table} is an append-only log: its rows never change, so none can be touched`)
  }
  if (problems.length > 0) throw badRequest(`invalid alter request: ${problems.join('; ')}`)

  const retyped = new Map(request.retype.map((c) => [c.name, c.type]))
  const dropped = new Set(request.drop)
  const columns = spec.columns
    .filter((c) => !dropped.has(c.name))
    .map((c) => (retyped.has(c.name) ? { ...retyped.get(c.name)!, name: c.name } : c))
  return { ...spec, columns: [...columns, ...request.add.map((c) => ({ ...c.type, name: c.name }))] }
}

/** the ALTER TABLE statements that turn `before` into `after` (checked by `checkAlter`) */
function alterStatements(
  table: string,
  before: TableSpec,
  request: AlterRequest,
  after: TableSpec,
): string[] {
  const column = (spec: TableSpec, name: string) => spec.columns.find((c) => c.name === name)!
  return [
    ...request.add.map(
      ({ name }) => `ALTER TABLE ${table} ADD COLUMN ${quoteIdent(name)} ${sqlType(column(after, name))}`,
    ),
    ...request.retype.map(({ name }) => {
      const [from, to] = [column(before, name), column(after, name)]
      const using = convertSql(quoteIdent(name), from, to)
      return `ALTER TABLE ${table} ALTER COLUMN ${quoteIdent(name)} TYPE ${sqlType(to)} USING ${using}`
    }),
    ...request.drop.map((name) => `ALTER TABLE ${table} DROP COLUMN ${quoteIdent(name)}`),
  ]
}

/**
 * The touched rows' new values: fresh values for the added columns, and for a column retyped
 * from another type to VARCHAR, text that is no longer a number on every fifth row (the others
 * keep their converted value). `updated_at` moves to `at`.
 */
function touchChanges(
  random: Random,
  keys: readonly string[],
  request: AlterRequest,
  [before, after]: [TableSpec, TableSpec],
  atMs: number,
): Change[] {
  const typeBefore = (name: string) => before.columns.find((c) => c.name === name)!.type
  const added = request.add.map(({ name }) => after.columns.find((c) => c.name === name)!)
  const drifting = request.retype
    .filter(({ name, type }) => type.type === 'varchar' && typeBefore(name) !== 'varchar')
    .map((c) => c.name)
  return keys.map((key, i) => {
    const set: Record<string, string> = { updated_at: `TIMESTAMP '${formatTimestamp(atMs)}'` }
    for (const column of added) set[column.name] = addedValueSql(column, random, atMs)
    if (i % 5 === 0) for (const name of drifting) set[name] = sqlString(random.pick(DRIFT_TEXTS))
    return { key, set }
  })
}

/**
 * Applies one alter request in a single transaction: the DDL first (DuckDB refuses DDL on a
 * table the same transaction already updated), then the touched rows. Any failure rolls back
 * both, puts the emulator's record of the shape back and answers 400.
 */
export async function alter(
  connection: DuckDBConnection,
  context: MutateContext,
  request: AlterRequest,
): Promise<AlterResult> {
  const { db } = context
  const before = db.spec(request.table)
  const after = checkAlter(before, request)
  const atMs = request.at === undefined ? Date.now() : parseTimestamp(request.at)!
  const shown = new Set([
    'updated_at',
    ...request.add.map((c) => c.name),
    ...request.retype.map((c) => c.name),
  ])
  let touched: ChangedRow[] = []
  await connection.run('BEGIN TRANSACTION')
  try {
    const statements = alterStatements(db.table(request.table), before, request, after)
    for (const statement of statements) await connection.run(statement)
    // the picker and the row writer read the shape; they must see the new one
    db.reshape(after)
    if (request.touch > 0) {
      const keys = await createPicker(connection, context).keys(request.table, request.touch)
      const changes = touchChanges(context.random, keys, request, [before, after], atMs)
      touched = await writeChanges(connection, db, after, changes)
    }
    await connection.run('COMMIT')
  } catch (error) {
    db.reshape(before)
    await connection.run('ROLLBACK')
    if (error instanceof HttpError) throw error
    throw badRequest(`alter failed: ${String((error as Error).message).split('\n')[0]}`)
  }
  return {
    table: request.table,
    added: request.add.map((c) => c.name),
    retyped: request.retype.map((c) => c.name),
    dropped: [...request.drop],
    touched: touched.map(({ key, values }) => ({
      key: key!,
      values: Object.fromEntries(Object.entries(values).filter(([name]) => shown.has(name))),
    })),
  }
}
