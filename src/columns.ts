import { z } from 'zod'

/**
 * Column builders: each returns a zod schema for a typed value and records the PostgreSQL type it
 * becomes, so one schema per stream drives both validation and the table's DDL. A neutral module:
 * connectors declare their columns with it, the warehouse builds tables from it, and neither
 * imports the other (docs/design.md §1).
 */
export const PG_TYPES = ['text', 'boolean', 'bigint', 'integer', 'double precision', 'numeric', 'timestamptz', 'date', 'jsonb'] as const
export type PgBaseType = (typeof PG_TYPES)[number]

export interface ColumnType {
  /** the DDL type, e.g. `numeric(12,2)` */
  sql: string
  base: PgBaseType
}

const columnTypes = new WeakMap<z.ZodType, ColumnType>()

function typed<T extends z.ZodType>(schema: T, sql: string, base: PgBaseType): T {
  columnTypes.set(schema, { sql, base })
  return schema
}

/** Which `col.*` made a schema, and with what precision and scale for a decimal. */
export interface ColumnMaker {
  readonly name: keyof typeof col
  readonly precision?: number
  readonly scale?: number
}

// which of col.*'s schemas a field is, for the few readers that must know exactly what it accepts
const makers = new WeakMap<z.ZodType, ColumnMaker>()

function made<T extends z.ZodType>(maker: ColumnMaker, schema: T): T {
  makers.set(schema, maker)
  return schema
}

/**
 * Which `col.*` made a field's schema, when it is one of those whose every check is known (`key`,
 * `text`, `boolean`, `bigint`, `decimal`, `timestamp`, `timestampRequired`): the byte lane writes
 * such a column's values without the schema's check, by proving them acceptable itself.
 */
export const columnMaker = (schema: unknown): ColumnMaker | undefined => makers.get(schema as z.ZodType)

/** `YYYY-MM-DD[T ]HH:MM:SS[.fraction]` with an explicit zone (`Z` or `±HH[:MM]`). */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}(:?\d{2})?)$/
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/
const INTEGER_TEXT = /^-?\d{1,19}$/

const decimalSchema = (precision: number, scale: number) =>
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/, 'not a decimal number')
    .refine((value) => value.replace(/^-/, '').split('.')[0].replace(/^0+(?=\d)/, '').length <= precision - scale, {
      message: `more than ${precision - scale} integer digits`,
    })

export const col = {
  /** a primary-key text value: never null, never empty */
  key: () => made({ name: 'key' }, typed(z.string().min(1, 'empty key'), 'text', 'text')),
  text: () => made({ name: 'text' }, typed(z.string().nullable(), 'text', 'text')),
  boolean: () => made({ name: 'boolean' }, typed(z.boolean().nullable(), 'boolean', 'boolean')),
  /** int8 kept as decimal text, since JS numbers lose precision past 2^53 */
  bigint: () => made({ name: 'bigint' }, typed(z.string().regex(INTEGER_TEXT, 'not an integer').nullable(), 'bigint', 'bigint')),
  integer: () => typed(z.number().int().nullable(), 'integer', 'integer'),
  integerKey: () => typed(z.number().int(), 'integer', 'integer'),
  bigintKey: () => typed(z.string().regex(INTEGER_TEXT, 'not an integer'), 'bigint', 'bigint'),
  double: () => typed(z.number().nullable(), 'double precision', 'double precision'),
  decimal: (precision = 12, scale = 2) =>
    made({ name: 'decimal', precision, scale }, typed(decimalSchema(precision, scale).nullable(), `numeric(${precision},${scale})`, 'numeric')),
  /** any-precision decimal text (HubSpot numbers) */
  numeric: () => typed(z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'not a number').nullable(), 'numeric', 'numeric'),
  /** an instant as exact source text with its zone; PostgreSQL parses it, JS never rounds it */
  timestamp: () => made({ name: 'timestamp' }, typed(z.string().regex(TIMESTAMP_PATTERN, 'not a timestamp with a zone').nullable(), 'timestamptz', 'timestamptz')),
  timestampRequired: () => made({ name: 'timestampRequired' }, typed(z.string().regex(TIMESTAMP_PATTERN, 'not a timestamp with a zone'), 'timestamptz', 'timestamptz')),
  date: () => typed(z.string().regex(DATE_PATTERN, 'not a date').nullable(), 'date', 'date'),
  json: () => typed(z.unknown(), 'jsonb', 'jsonb'),
}

export interface Column {
  name: string
  type: ColumnType
  /** part of the primary key */
  key: boolean
}

/** The columns of a record schema, in declaration order. */
export function columnsOf(schema: z.ZodObject, primaryKey: readonly string[]): Column[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const type = columnTypes.get(field as z.ZodType)
    if (!type) throw new Error(`column ${name} was not built with col.*: its warehouse type is unknown`)
    return { name, type, key: primaryKey.includes(name) }
  })
}

const NUMBER_RANK: Partial<Record<PgBaseType, number>> = { integer: 0, bigint: 1, numeric: 2 }

/**
 * The narrowest type that holds values of both: integer → bigint → numeric → text; a double with
 * an integer is numeric; anything else that differs is text. Never narrower than `current`.
 */
export function widen(current: PgBaseType, incoming: PgBaseType): PgBaseType {
  if (current === incoming) return current
  const a = NUMBER_RANK[current]
  const b = NUMBER_RANK[incoming]
  if (a !== undefined && b !== undefined) return a >= b ? current : incoming
  const numeric = (t: PgBaseType) => t === 'double precision' || NUMBER_RANK[t] !== undefined
  if (numeric(current) && numeric(incoming)) return 'numeric'
  return 'text'
}
