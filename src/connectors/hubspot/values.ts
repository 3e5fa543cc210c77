import type { PgBaseType } from '../columns.ts'

/**
 * Processors: HubSpot sends every property value as a string or null. These turn that text into
 * the column's type strictly: a value that does not parse is an error with the reason (the record
 * becomes a reject naming the property), never a guess and never a crash.
 */
export class ValueError extends Error {}

/** HubSpot's property type → the warehouse type; multi-selects (`a;b`) and the rest stay text. */
export function baseTypeOf(hubspotType: string): PgBaseType {
  switch (hubspotType) {
    case 'number':
      return 'numeric'
    case 'datetime':
      return 'timestamptz'
    case 'date':
      return 'date'
    case 'bool':
      return 'boolean'
    default:
      return 'text'
  }
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/
const ISO_MINUTES = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(Z|[+-]\d{2}:?\d{2})$/
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const EPOCH_MS = /^-?\d{10,16}$/

const quoted = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)

/** `"1.50"`, `"-3"`, `"+2"`, `".5"`, `"1e3"` → PostgreSQL numeric text */
export function parseNumber(text: string): string {
  const v = text.trim()
  if (!NUMBER.test(v)) throw new ValueError(`${quoted(text)} is not a number`)
  return v.replace(/^\+/, '').replace(/^(-?)\./, '$10.').replace(/\.(?=$|[eE])/, '')
}

export function parseBoolean(text: string): boolean {
  const v = text.trim().toLowerCase()
  if (v === 'true') return true
  if (v === 'false') return false
  throw new ValueError(`${quoted(text)} is not true or false`)
}

const validDate = (iso: string) => !Number.isNaN(Date.parse(iso))

/** An instant with its zone, kept as HubSpot's exact text; epoch milliseconds (older properties) become ISO. */
export function parseDateTime(text: string): string {
  const v = text.trim()
  if (ISO_INSTANT.test(v) && validDate(v)) return v
  if (ISO_MINUTES.test(v) && validDate(v)) return new Date(v).toISOString()
  if (EPOCH_MS.test(v)) return new Date(Number(v)).toISOString()
  // a date-only value in a datetime property is midnight UTC, as HubSpot stores it
  if (DATE_ONLY.test(v) && validDate(`${v}T00:00:00Z`)) return `${v}T00:00:00Z`
  throw new ValueError(`${quoted(text)} is not a date-time`)
}

/** `YYYY-MM-DD`; HubSpot also writes date properties as epoch ms or ISO at midnight UTC. */
export function parseDate(text: string): string {
  const v = text.trim()
  if (DATE_ONLY.test(v) && validDate(`${v}T00:00:00Z`)) return v
  const instant = EPOCH_MS.test(v) ? new Date(Number(v)) : ISO_INSTANT.test(v) ? new Date(v) : undefined
  const iso = instant && !Number.isNaN(instant.getTime()) ? instant.toISOString() : ''
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10)
  throw new ValueError(`${quoted(text)} is not a date`)
}

/** One wire value as its column's value. `""` is NULL for typed columns and stays `""` for text. */
export function parseValue(base: PgBaseType, text: string | null): unknown {
  if (text === null) return null
  if (base === 'text') return text
  if (text.trim() === '') return null
  switch (base) {
    case 'numeric':
      return parseNumber(text)
    case 'boolean':
      return parseBoolean(text)
    case 'timestamptz':
      return parseDateTime(text)
    case 'date':
      return parseDate(text)
    default:
      return text
  }
}
