import type { PgBaseType } from '../columns.ts'

/**
 * The tolerant processors, one set for every connector: each turns a source value (text as CRMs
 * export it, or a JSON number/boolean) into its column's type, reading the forms real data comes
 * in — money text (`$1,000.00`, `(15.00)`, `15.00-`, `USD 1,234.50`), `yes/no` booleans,
 * integers written `12.0`, numbers with exponents, timestamps without a zone. A value that still
 * does not fit throws a ValueError whose message says why in a few words ("not a decimal
 * number"); the caller decides whether that nulls the field or rejects the record.
 *
 * `''` stays `''` for text and is NULL for every typed column.
 */
export class ValueError extends Error {}

export interface ProcessOptions {
  /** the IANA zone a timestamp without one is read in (the source's configured zone); UTC by default */
  zone?: string
}

const blank = (value: unknown) => value === null || value === undefined || (typeof value === 'string' && value.trim() === '')

// `(` sign currency-code symbol sign digits[,grouped][.fraction] exponent trailing-minus currency-code `)`
const MONEY =
  /^(\()?\s*([-+])?\s*(?:([A-Z]{3})\s*)?([$€£¥])?\s*([-+])?\s*(\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE]([-+]?\d{1,4}))?\s*(-)?\s*([A-Z]{3})?\s*(\))?$/
const GROUPED = /^\d{1,3}(,\d{3})+(\.\d*)?$/
// what most values already are: taken as they are, without the money parse (it runs for every value)
const PLAIN_DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/
const NONZERO = /[1-9]/

/**
 * A decimal number's exact text (`-1234.50`), from money text or a JSON number. Digits are kept
 * as written (never rounded, `1000.00` stays `1000.00`); an exponent shifts the point.
 */
export function decimalText(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValueError('not a decimal number')
    return decimalText(String(value))
  }
  if (typeof value !== 'string') throw new ValueError('not a decimal number')
  if (PLAIN_DECIMAL.test(value) && (value.charCodeAt(0) !== 45 || NONZERO.test(value))) return value
  const match = MONEY.exec(value.trim())
  if (!match) throw new ValueError('not a decimal number')
  const [, open, sign1, code1, , sign2, digits, exponent, trailing, code2, close] = match
  const signs = [sign1, sign2, trailing, open ? '(' : undefined].filter(Boolean)
  if (Boolean(open) !== Boolean(close) || signs.length > 1 || (code1 && code2)) throw new ValueError('not a decimal number')
  if (digits.includes(',') && !GROUPED.test(digits)) throw new ValueError('not a decimal number')
  const negative = signs.length === 1 && signs[0] !== '+'
  const [whole, fraction = ''] = digits.replaceAll(',', '').split('.')
  const shifted = shiftPoint(whole, fraction, Number(exponent ?? 0))
  return negative && /[1-9]/.test(shifted) ? `-${shifted}` : shifted
}

/** `whole.fraction × 10^exponent` as plain decimal text, without leading zeros. */
function shiftPoint(whole: string, fraction: string, exponent: number): string {
  const all = whole + fraction
  const point = whole.length + exponent
  const padded = point < 0 ? '0'.repeat(-point) + all : point > all.length ? all + '0'.repeat(point - all.length) : all
  const at = Math.max(point, 0)
  const integer = padded.slice(0, at).replace(/^0+(?=\d)/, '') || '0'
  const decimals = padded.slice(at)
  return decimals ? `${integer}.${decimals}` : integer
}

/** An integer's exact text: `12`, `12.0`, `1,200`, `1.2e3`; a fraction is not an integer. */
function integerText(value: unknown): string {
  let text: string
  try {
    text = decimalText(value)
  } catch {
    throw new ValueError('not an integer')
  }
  // 12.0 is twelve; 12.5 is not an integer
  const whole = /^(-?\d+)(?:\.0*)?$/.exec(text)
  if (!whole) throw new ValueError('not an integer')
  return whole[1] === '-0' ? '0' : whole[1]
}

const INT8_MAX = 9223372036854775807n
const INT4_MAX = 2147483647

const TRUE = new Set(['true', 't', 'yes', 'y', '1', 'on'])
const FALSE = new Set(['false', 'f', 'no', 'n', '0', 'off'])

// YYYY-MM-DD[ T]HH:MM[:SS[.fraction]] [zone]
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})([T ])(\d{2}:\d{2})(:\d{2}(?:\.\d{1,9})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const EPOCH_MS = /^-?\d{10,16}$/
// Athena's own form, the common case: `YYYY-MM-DD HH:MM:SS[.fraction]`, no zone
const PLAIN_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/
// MySQL's zero date is how a PHP backend writes "no date"
const ZERO_DATE = /^0000-00-00/

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

// the two digits at `i` as a number (the callers' patterns proved them digits); no allocation, as it runs for every timestamp
const two = (text: string, i: number) => (text.charCodeAt(i) - 48) * 10 + text.charCodeAt(i + 1) - 48

/** Year `y`, month `m`, day `d` name a day of the calendar: no 30 February. */
export function isCalendarDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1])
}

/** The `YYYY-MM-DD` at the start of `text` (digits already proved) is a day of the calendar. */
const dayAtStart = (text: string) => isCalendarDay(two(text, 0) * 100 + two(text, 2), two(text, 5), two(text, 8))

const realDay = (day: string) => DATE.test(day) && dayAtStart(day)

/** A PLAIN_TIMESTAMP text names a real instant: the fast path's check, reading the digits in place. */
const plainIsReal = (text: string) => dayAtStart(text) && two(text, 11) < 24 && two(text, 14) < 60 && two(text, 17) < 60

/** `HH:MM`, and `:SS[.fraction]` when given, name a time of day. */
const realTime = (hhmm: string, seconds: string | undefined) => two(hhmm, 0) < 24 && two(hhmm, 3) < 60 && (seconds === undefined || two(seconds, 1) < 60)

/** The offset (`+HH:MM`) of `zone` at the wall-clock time `day time` there. */
function offsetOf(zone: string, day: string, time: string): string {
  const wall = Date.parse(`${day}T${time.slice(0, 8)}Z`)
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
  const offsetAt = (instant: number) => {
    // "GMT-07:00", "GMT+05:30", or plain "GMT" for UTC itself
    const name = format.formatToParts(instant).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT'
    const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name)
    return match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0)) : 0
  }
  // the offset at the wall time read as UTC, corrected once: right except inside a DST gap
  let minutes = offsetAt(wall)
  minutes = offsetAt(wall - minutes * 60_000)
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/**
 * An instant as exact text with its zone, for PostgreSQL to parse (JS would drop microseconds):
 * a zone it carries is kept; a value without one is read in `zone`; a bare date is its midnight;
 * 10-16 digits are epoch milliseconds (HubSpot's older properties).
 */
export function timestampText(value: unknown, zone = 'UTC'): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return timestampText(String(value), zone)
  if (typeof value !== 'string') throw new ValueError('not a timestamp')
  if (zone === 'UTC' && PLAIN_TIMESTAMP.test(value) && plainIsReal(value)) return `${value}Z`
  const v = value.trim()
  if (EPOCH_MS.test(v)) return new Date(Number(v)).toISOString()
  const match = DATE.test(v) ? [v, v, 'T', '00:00', ':00', undefined] : TIMESTAMP.exec(v)
  if (!match || !realDay(match[1] as string) || !realTime(match[3] as string, match[4])) throw new ValueError('not a timestamp')
  const [, date, separator, hhmm, seconds = ':00', given] = match as (string | undefined)[]
  const time = `${hhmm}${seconds}`
  const offset = given ? given.toUpperCase() : zone === 'UTC' ? 'Z' : offsetOf(zone, date as string, time)
  return `${date}${separator}${time}${offset}`
}

/** `YYYY-MM-DD`: a date, the date part of a timestamp, or epoch milliseconds (their UTC day). */
export function dateText(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return dateText(String(value))
  if (typeof value !== 'string') throw new ValueError('not a date')
  const v = value.trim()
  if (EPOCH_MS.test(v)) return new Date(Number(v)).toISOString().slice(0, 10)
  const day = v.slice(0, 10)
  if (realDay(day) && (v.length === 10 || TIMESTAMP.test(v))) return day
  throw new ValueError('not a date')
}

/**
 * One value as its column's type. Throws ValueError when it does not fit; NULL, `''` (for typed
 * columns) and MySQL's zero dates are NULL.
 */
export function processValue(base: PgBaseType, value: unknown, options: ProcessOptions = {}): unknown {
  if (base === 'text') {
    if (value === null || value === undefined) return null
    if (typeof value === 'string') return value
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
    return JSON.stringify(value)
  }
  if (blank(value)) return null
  switch (base) {
    case 'boolean': {
      if (typeof value === 'boolean') return value
      const word = typeof value === 'number' || typeof value === 'string' ? String(value).trim().toLowerCase() : ''
      if (TRUE.has(word)) return true
      if (FALSE.has(word)) return false
      throw new ValueError('not a boolean')
    }
    case 'integer': {
      const text = integerText(value)
      if (Math.abs(Number(text)) > INT4_MAX) throw new ValueError('out of range for integer')
      return Number(text)
    }
    case 'bigint': {
      const text = integerText(value)
      const n = BigInt(text)
      if (n > INT8_MAX || n < -INT8_MAX - 1n) throw new ValueError('out of range for bigint')
      return text
    }
    case 'numeric':
      return decimalText(value)
    case 'double precision': {
      if (typeof value === 'number' && Number.isFinite(value)) return value
      let text: string
      try {
        text = decimalText(value)
      } catch {
        throw new ValueError('not a number')
      }
      return Number(text)
    }
    case 'timestamptz':
      if (typeof value === 'string' && ZERO_DATE.test(value.trim())) return null
      return timestampText(value, options.zone)
    case 'date':
      if (typeof value === 'string' && ZERO_DATE.test(value.trim())) return null
      return dateText(value)
    case 'jsonb':
      if (typeof value === 'object') return value
      throw new ValueError('not a JSON object or array')
  }
}

/** A field change for a row's `_meta`: a value that did not fit its column was stored as NULL. */
export interface FieldChange {
  field: string
  change: 'nulled'
  reason: string
}

/**
 * Processes one field into `values`, or nulls it and notes why in `changes`: one bad field never
 * costs the record (its value stays in `_raw`).
 */
export function processField(values: Record<string, unknown>, changes: FieldChange[], field: string, parse: () => unknown): void {
  try {
    values[field] = parse()
  } catch (error) {
    if (!(error instanceof ValueError)) throw error
    values[field] = null
    changes.push({ field, change: 'nulled', reason: error.message })
  }
}
