/**
 * How a source value reads as a warehouse column's type, written from docs/design.md §3.11 and
 * not from crmsync's processors (src/connectors/processors.ts), so the judge is a second opinion:
 * money text (`$1,000.00`, `2,500.00`, `(15.00)`, `15.00-`, `USD 1,234.50`, `1.2345e3`), booleans
 * (`true/false`, `t/f`, `yes/no`, `y/n`, `1/0`, `on/off`), integers written `12.0`, timestamps with
 * or without a zone (UTC: no scenario configures a `timeZone`), dates, epoch milliseconds; `''`
 * is NULL in a typed column and `''` in text. `read-value.test.ts` holds the two to agreement on
 * every form the scenarios produce.
 */
export type ColumnBase =
  | 'text'
  | 'boolean'
  | 'integer'
  | 'bigint'
  | 'numeric'
  | 'double precision'
  | 'timestamptz'
  | 'date'
  | 'jsonb'

/** What a value reads as: a canonical value (null for NULL), or `unreadable` with why. */
export type Reading = { value: CanonicalValue } | { unreadable: string }
/** text and dates as text, numbers as numbers, instants as epoch ms, JSON as canonical JSON text */
export type CanonicalValue = string | number | boolean | null

const INT4_MAX = 2_147_483_647
const TRUE = ['true', 't', 'yes', 'y', '1', 'on']
const FALSE = ['false', 'f', 'no', 'n', '0', 'off']
const EPOCH_MS = /^-?\d{10,16}$/
const ZERO_DATE = /^0000-00-00/
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/
const STAMP =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i
const NUMBER_BODY = /^(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,4})?$/

const blank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '')

/** Money or plain number text as a number, or undefined when it is neither. */
export function readNumber(text: string): number | undefined {
  let t = text.trim()
  let signs = 0
  let negative = false
  let codes = 0
  if (t.startsWith('(') !== t.endsWith(')')) return undefined
  if (t.startsWith('(')) [t, signs, negative] = [t.slice(1, -1).trim(), signs + 1, true]
  // the tail, read from the end: a currency code, then a trailing minus (`15.00- USD`)
  const trailingCode = /^(.*?)\s*([A-Z]{3})$/.exec(t)
  if (trailingCode) [t, codes] = [trailingCode[1], codes + 1]
  if (t.endsWith('-')) [t, signs, negative] = [t.slice(0, -1).trim(), signs + 1, true]
  // the head: a sign, a currency code and a symbol, each at most once, a sign before or after the rest
  let symbols = 0
  for (;;) {
    const sign = /^([-+])\s*/.exec(t)
    const code = /^([A-Z]{3})\s*/.exec(t)
    const symbol = /^[$€£¥]\s*/.exec(t)
    if (sign) [t, signs, negative] = [t.slice(sign[0].length), signs + 1, negative || sign[1] === '-']
    else if (code) [t, codes] = [t.slice(code[0].length), codes + 1]
    else if (symbol) [t, symbols] = [t.slice(symbol[0].length), symbols + 1]
    else break
  }
  if (signs > 1 || codes > 1 || symbols > 1 || !NUMBER_BODY.test(t)) return undefined
  const n = Number(t.replaceAll(',', ''))
  return negative && n !== 0 ? -n : n
}

function realDay(day: string): boolean {
  const m = DAY.exec(day)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(0)
  date.setUTCFullYear(y, mo - 1, d)
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
}

/** An instant as epoch ms: with its zone, or UTC without one; a bare date is its midnight. */
export function readInstant(text: string): number | undefined {
  const t = text.trim()
  if (EPOCH_MS.test(t)) return Number(t)
  if (DAY.test(t)) return realDay(t) ? Date.parse(`${t}T00:00:00Z`) : undefined
  const m = STAMP.exec(t)
  if (!m || !realDay(m[1])) return undefined
  const [h, mi, s] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)]
  if (h > 23 || mi > 59 || s > 59) return undefined
  const ms = Number((m[5] ?? '').padEnd(3, '0').slice(0, 3))
  const day = new Date(`${m[1]}T00:00:00Z`)
  const wall = day.getTime() + ((h * 60 + mi) * 60 + s) * 1000 + ms
  const zone = (m[6] ?? 'Z').toUpperCase()
  if (zone === 'Z') return wall
  const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)
  if (!z) return undefined
  const minutes = Number(z[2]) * 60 + Number(z[3] ?? 0)
  return wall - (z[1] === '-' ? -1 : 1) * minutes * 60_000
}

/** `YYYY-MM-DD`: a date, a timestamp's own date part, or epoch ms' UTC day. */
function readDay(text: string): string | undefined {
  const t = text.trim()
  if (EPOCH_MS.test(t)) return new Date(Number(t)).toISOString().slice(0, 10)
  const day = t.slice(0, 10)
  if (!realDay(day)) return undefined
  return t.length === 10 || STAMP.test(t) ? day : undefined
}

/** JSON text with object keys sorted: the same document compares equal whatever its key order. */
export function canonicalText(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort)
    if (typeof v !== 'object' || v === null) return v
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )
    return Object.fromEntries(entries.map(([k, x]) => [k, sort(x)]))
  }
  return JSON.stringify(sort(value))
}

/**
 * How `value` (Athena text, a HubSpot string, a SalesRabbit JSON value) reads as a column of type
 * `base`. Unreadable values are what crmsync must store NULL with a `_meta` change.
 */
export function readAs(base: ColumnBase, value: unknown): Reading {
  if (base === 'text') {
    if (value === null || value === undefined) return { value: null }
    if (typeof value === 'string') return { value }
    if (typeof value === 'object') return { value: JSON.stringify(value) }
    return { value: String(value) }
  }
  if (blank(value)) return { value: null }
  const text = typeof value === 'string' ? value : undefined
  switch (base) {
    case 'boolean': {
      if (typeof value === 'boolean') return { value }
      const word = typeof value === 'number' ? String(value) : text?.trim().toLowerCase()
      if (word !== undefined && TRUE.includes(word)) return { value: true }
      if (word !== undefined && FALSE.includes(word)) return { value: false }
      return { unreadable: 'not a boolean' }
    }
    case 'integer':
    case 'bigint': {
      const n = typeof value === 'number' ? value : text === undefined ? undefined : readNumber(text)
      if (n === undefined || !Number.isInteger(n)) return { unreadable: 'not an integer' }
      if (base === 'integer' && Math.abs(n) > INT4_MAX) return { unreadable: 'out of range for integer' }
      return { value: n === 0 ? 0 : n }
    }
    case 'numeric':
    case 'double precision': {
      const n = typeof value === 'number' ? value : text === undefined ? undefined : readNumber(text)
      if (n === undefined || !Number.isFinite(n)) return { unreadable: 'not a number' }
      return { value: n === 0 ? 0 : n }
    }
    case 'timestamptz': {
      const t = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : text
      if (t !== undefined && ZERO_DATE.test(t.trim())) return { value: null }
      const ms = t === undefined ? undefined : readInstant(t)
      return ms === undefined ? { unreadable: 'not a timestamp' } : { value: ms }
    }
    case 'date': {
      const t = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : text
      if (t !== undefined && ZERO_DATE.test(t.trim())) return { value: null }
      const day = t === undefined ? undefined : readDay(t)
      return day === undefined ? { unreadable: 'not a date' } : { value: day }
    }
    case 'jsonb':
      return typeof value === 'object' ? { value: canonicalText(value) } : { unreadable: 'not JSON' }
  }
}

/**
 * A stored column value (from `to_jsonb` of the row) in the same canonical form: timestamps to
 * epoch ms, numbers to numbers, JSON to canonical text.
 */
export function storedValue(base: ColumnBase, value: unknown): CanonicalValue {
  if (value === null || value === undefined) return null
  if (base === 'timestamptz') return Date.parse(String(value))
  if (base === 'jsonb') return canonicalText(value)
  if (typeof value === 'string' && base !== 'text' && base !== 'date') return Number(value)
  return value as CanonicalValue
}

/** Whether a stored value holds the reading: numbers numerically (within a numeric(p,s) column's scale). */
export function sameValue(
  base: ColumnBase,
  want: CanonicalValue,
  have: CanonicalValue,
  scale?: number,
): boolean {
  if (want === null || have === null) return want === have
  if (typeof want === 'number' && typeof have === 'number') {
    if (base === 'integer' || base === 'bigint' || base === 'timestamptz') return want === have
    const tolerance = scale === undefined ? Math.abs(want) * 1e-12 : 0.5 * 10 ** -scale + 1e-9
    return Math.abs(want - have) <= tolerance
  }
  return want === have
}
