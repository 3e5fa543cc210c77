import { z } from 'zod'
import { col } from '../columns.ts'
import { parseInstant } from './timestamps.ts'

/** A source value that cannot become its column's type; the record becomes a reject naming the field. */
export class FieldError extends Error {}

/** One warehouse column: its type, the API key it comes from, and how the API's value becomes it. */
export interface Field {
  source: string
  type: z.ZodType
  parse(value: unknown, source: string): unknown
}

const fail = (source: string, value: unknown, what: string): never => {
  const problem = value === undefined ? 'missing' : `${JSON.stringify(value)} is not ${what}`
  throw new FieldError(`${source}: ${problem}`)
}
// a date, or the date part of a timestamp (SalesRabbit sends dates either way in different places)
const DAY = /^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$/
const absent = (value: unknown) => value === null || value === undefined || value === ''
// MySQL's zero date is how a PHP backend writes "no date"; an optional field reads it as NULL
const zeroDate = (value: unknown) => typeof value === 'string' && value.startsWith('0000-00-00')

function integer(value: unknown, source: string): string | null {
  if (absent(value)) return null
  return keyOf(value) ?? fail(source, value, 'an integer')
}

function timestamp(value: unknown, source: string): string | null {
  if (absent(value) || zeroDate(value)) return null
  // the exact source text goes to PostgreSQL; parsing here only proves it carries a zone
  if (typeof value === 'string' && parseInstant(value) !== undefined) return value.trim()
  return fail(source, value, 'a timestamp with a zone')
}

const parsers = {
  text(value: unknown, source: string): string | null {
    if (value === null || value === undefined) return null
    if (typeof value === 'string') return value
    if (typeof value === 'number' || typeof value === 'boolean') return String(value)
    return fail(source, value, 'text')
  },
  integer,
  key(value: unknown, source: string): string {
    return integer(value, source) ?? fail(source, value, 'an integer')
  },
  double(value: unknown, source: string): number | null {
    if (absent(value)) return null
    if (typeof value === 'number' && Number.isFinite(value)) return value
    if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value)
    return fail(source, value, 'a number')
  },
  boolean(value: unknown, source: string): boolean | null {
    if (absent(value)) return null
    if (value === true || value === 1 || value === 'true' || value === '1') return true
    if (value === false || value === 0 || value === 'false' || value === '0') return false
    return fail(source, value, 'a boolean')
  },
  timestamp,
  timestampRequired(value: unknown, source: string): string {
    if (typeof value === 'string' && parseInstant(value) !== undefined) return value.trim()
    return fail(source, value, 'a timestamp with a zone')
  },
  date(value: unknown, source: string): string | null {
    if (absent(value) || zeroDate(value)) return null
    const day = typeof value === 'string' ? DAY.exec(value.trim())?.[1] : undefined
    if (day && parseInstant(`${day}T00:00:00Z`) !== undefined) return day
    return fail(source, value, 'a date')
  },
  json(value: unknown, source: string): unknown {
    if (value === null || value === undefined) return null
    if (typeof value === 'object') return value
    return fail(source, value, 'a JSON object or array')
  },
}

export const field = {
  key: (source: string): Field => ({ source, type: col.bigintKey(), parse: parsers.key }),
  text: (source: string): Field => ({ source, type: col.text(), parse: parsers.text }),
  bigint: (source: string): Field => ({ source, type: col.bigint(), parse: parsers.integer }),
  double: (source: string): Field => ({ source, type: col.double(), parse: parsers.double }),
  boolean: (source: string): Field => ({ source, type: col.boolean(), parse: parsers.boolean }),
  timestamp: (source: string): Field => ({ source, type: col.timestamp(), parse: parsers.timestamp }),
  timestampRequired: (source: string): Field => ({
    source,
    type: col.timestampRequired(),
    parse: parsers.timestampRequired,
  }),
  date: (source: string): Field => ({ source, type: col.date(), parse: parsers.date }),
  json: (source: string): Field => ({ source, type: col.json(), parse: parsers.json }),
}

export interface RecordShape {
  schema: z.ZodObject
  /** the typed values of an API record; throws FieldError naming the first field that does not parse */
  convert(raw: Record<string, unknown>): Record<string, unknown>
}

/** A record shape from its fields: the zod schema (validation, DDL) and the converter agree by construction. */
export function defineRecord(fields: Record<string, Field>): RecordShape {
  const entries = Object.entries(fields)
  return {
    schema: z.object(Object.fromEntries(entries.map(([column, f]) => [column, f.type]))),
    convert(raw) {
      const values: Record<string, unknown> = {}
      for (const [column, f] of entries) values[column] = f.parse(raw[f.source], f.source)
      return values
    },
  }
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
