import { z } from 'zod'
import { columnName } from '../column-name.ts'
import { col, widen, type PgBaseType } from '../../columns.ts'
import { processField, processValue, ValueError, type FieldChange } from '../processors.ts'
import type { RebuildResult, RejectedRecord, SourceRecord, SourceSchema } from '../types.ts'
import { parseInstant } from './timestamps.ts'

// SalesRabbit's processors: how an API value becomes a column's value (through the shared tolerant
// processors of src/connectors/processors.ts), `defineRecord` that pairs them with the columns'
// types (the record schemas are in schemas.ts), and the types of fields the source grew.

/** A record without a usable key or modification time: it becomes a reject naming the field. */
export class FieldError extends Error {}

type Parse = (value: unknown, zone: string) => unknown

/** One warehouse column: its type, the API key it comes from, and how the API's value becomes it. */
export interface Field {
  source: string
  type: z.ZodType
  parse: Parse
  /** the row cannot exist without it (the key, the modification time): a bad value rejects the record */
  required?: boolean
}

const problem = (value: unknown, reason: string) => (value === undefined ? 'missing' : `${JSON.stringify(value)} is ${reason}`)

// the shared tolerant processors (src/connectors/processors.ts), by column type
const as =
  (base: PgBaseType): Parse =>
  (value, zone) =>
    processValue(base, value, { zone })

const parsers = {
  text: as('text'),
  bigint: as('bigint'),
  double: as('double precision'),
  boolean: as('boolean'),
  timestamp: as('timestamptz'),
  // SalesRabbit sends dates either as dates or as timestamps, depending on the place
  date: as('date'),
  json: as('jsonb'),
  key(value: unknown): string {
    const key = keyOf(value)
    if (key === undefined) throw new ValueError('not an integer')
    return key
  },
  /** the modification time drives the window's arithmetic: it must carry its zone */
  instant(value: unknown): string {
    if (typeof value === 'string' && parseInstant(value) !== undefined) return value.trim()
    throw new ValueError('not a timestamp with a zone')
  },
}

export const field = {
  key: (source: string): Field => ({ source, type: col.bigintKey(), parse: parsers.key, required: true }),
  text: (source: string): Field => ({ source, type: col.text(), parse: parsers.text }),
  bigint: (source: string): Field => ({ source, type: col.bigint(), parse: parsers.bigint }),
  double: (source: string): Field => ({ source, type: col.double(), parse: parsers.double }),
  boolean: (source: string): Field => ({ source, type: col.boolean(), parse: parsers.boolean }),
  timestamp: (source: string): Field => ({ source, type: col.timestamp(), parse: parsers.timestamp }),
  timestampRequired: (source: string): Field => ({ source, type: col.timestampRequired(), parse: parsers.instant, required: true }),
  date: (source: string): Field => ({ source, type: col.date(), parse: parsers.date }),
  json: (source: string): Field => ({ source, type: col.json(), parse: parsers.json }),
}

export interface RecordShape {
  schema: z.ZodObject
  /** the API keys the columns come from: any other key is a field the source grew */
  sources: ReadonlySet<string>
  /** the column names, which a grown field's column must not take */
  columns: readonly string[]
  /**
   * The typed values of an API record. A field that does not fit is NULL with a change noted;
   * a required one throws FieldError naming it.
   */
  convert(raw: Record<string, unknown>, zone?: string): { values: Record<string, unknown>; changes: FieldChange[] }
}

/** A record shape from its fields: the zod schema (validation, DDL) and the converter agree by construction. */
export function defineRecord(fields: Record<string, Field>): RecordShape {
  const entries = Object.entries(fields)
  return {
    schema: z.object(Object.fromEntries(entries.map(([column, f]) => [column, f.type]))),
    sources: new Set(entries.map(([, f]) => f.source)),
    columns: entries.map(([column]) => column),
    convert(raw, zone = 'UTC') {
      const values: Record<string, unknown> = {}
      const changes: FieldChange[] = []
      for (const [column, f] of entries) {
        const value = raw[f.source]
        if (!f.required) {
          processField(values, changes, column, () => f.parse(value, zone))
          continue
        }
        try {
          values[column] = f.parse(value, zone)
        } catch (error) {
          if (error instanceof ValueError) throw new FieldError(`${f.source}: ${problem(value, error.message)}`)
          throw error
        }
      }
      return { values, changes }
    },
  }
}

/**
 * The fields a page's records carry beyond the shape's own keys, with types guessed from their
 * values, conservatively (docs/design.md §3.12): text stays text even when it looks like a number,
 * whole numbers are bigint, other numbers numeric, objects and arrays jsonb; a field seen only as
 * null waits until a value shows its type. Undefined when there are none.
 */
export function inferSchema(shape: RecordShape, records: readonly Record<string, unknown>[]): SourceSchema | undefined {
  const types = new Map<string, PgBaseType>()
  for (const record of records) {
    for (const key in record) {
      if (shape.sources.has(key)) continue
      const type = typeOfValue(record[key])
      if (type === undefined) continue
      const known = types.get(key)
      types.set(key, known === undefined ? type : widen(known, type))
    }
  }
  if (types.size === 0) return undefined
  const fields = [...types].map(([key, type]) => {
    const name = columnName(key)
    return { name: shape.columns.includes(name) ? columnName(`${name}_field`) : name, from: key, type }
  })
  return { fields, complete: false, inferred: true }
}

function typeOfValue(value: unknown): PgBaseType | undefined {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'bigint' : 'numeric'
  if (typeof value === 'object') return 'jsonb'
  return 'text'
}

/** The API record as an object, or undefined when the page held something else (a string, null, an array). */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  const object = typeof value === 'object' && value !== null && !Array.isArray(value)
  return object ? (value as Record<string, unknown>) : undefined
}

/** The warehouse's text of a bigint key (what `id::text` gives), or undefined when the id is not an integer. */
export function keyOf(id: unknown): string | undefined {
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id)
  if (typeof id === 'string' && /^-?\d{1,19}$/.test(id.trim())) return BigInt(id.trim()).toString()
  return undefined
}

/**
 * One record as the API sent it (a lead, a user), typed by its shape, with its own keys carried
 * for schema evolution (a key it grew becomes a column, docs/design.md §3.12), or why it is not one.
 */
export function toRecord(shape: RecordShape, noun: string, raw: unknown, zone: string | undefined): { record: SourceRecord; object: Record<string, unknown> } | { reject: RejectedRecord } {
  const object = asObject(raw)
  if (!object) return { reject: { reason: `the ${noun} is not an object: ${JSON.stringify(raw)?.slice(0, 80)}`, raw } }
  try {
    return { record: { ...shape.convert(object, zone), raw, fields: object }, object }
  } catch (error) {
    if (!(error instanceof FieldError)) throw error
    return { reject: { key: keyOf(object.id), reason: error.message, raw } }
  }
}

/** `Stream.rebuild`: a stored record through the read path's conversion again, with the fields it carries. */
export function rebuildRecord(shape: RecordShape, noun: string, raw: unknown, zone: string): RebuildResult {
  const result = toRecord(shape, noun, raw, zone)
  if ('reject' in result) return { reject: result.reject.reason, key: result.reject.key }
  return { records: [result.record], schema: inferSchema(shape, [result.object]) }
}
