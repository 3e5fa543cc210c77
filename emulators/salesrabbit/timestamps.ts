import { z } from 'zod'

/**
 * SalesRabbit writes every timestamp as `2023-11-21T16:50:21+00:00`: UTC, second precision, an
 * explicit `+00:00`. The emulator keeps every stored timestamp in exactly that form, so two of them
 * compare correctly as plain strings.
 */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/

// formatted by hand: Date#toISOString was most of the time spent generating a large table
export function formatTimestamp(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  const days = Math.floor(seconds / 86_400)
  const rest = seconds - days * 86_400
  const time = `${pad2(Math.floor(rest / 3600))}:${pad2(Math.floor(rest / 60) % 60)}:${pad2(rest % 60)}`
  return `${civilDate(days)}T${time}+00:00`
}

export function formatDate(ms: number): string {
  return civilDate(Math.floor(ms / 86_400_000))
}

/** `YYYY-MM-DD` of a day number since 1970-01-01 (Howard Hinnant's civil_from_days) */
function civilDate(days: number): string {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n))

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/i
// RFC 1123, the HTTP-date form a standard HTTP client sends in If-Modified-Since
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * Parses an instant with an explicit zone: ISO 8601 with `Z` or an offset, or an RFC 1123
 * HTTP-date. A local time without a zone is refused on purpose: the docs require `+00:00`, and
 * guessing the server's zone would shift a client's window by hours without anyone noticing.
 * Sub-millisecond digits round up, so `>= instant` never admits a second that is earlier.
 */
export function parseInstant(text: string): number | undefined {
  const value = text.trim()
  const iso = ISO_INSTANT.exec(value)
  if (iso) {
    const [, y, mo, d, h, mi, s, fraction = '', zone] = iso
    const base = utcMillis(+y, +mo, +d, +h, +mi, +s)
    const offset = zoneOffsetMinutes(zone)
    if (base === undefined || offset === undefined) return undefined
    const ms = fraction ? Math.ceil(Number(`0.${fraction}`) * 1000) : 0
    return base + ms - offset * 60_000
  }
  const http = HTTP_DATE.exec(value)
  if (http) {
    const [, d, mon, y, h, mi, s] = http
    const month = MONTHS.indexOf(mon) + 1
    return month === 0 ? undefined : utcMillis(+y, month, +d, +h, +mi, +s)
  }
  return undefined
}

function utcMillis(y: number, mo: number, d: number, h: number, mi: number, s: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  // Date.UTC rolls 31 February over into March; a real calendar date survives the round trip
  return new Date(ms).getUTCDate() === d ? ms : undefined
}

function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0
  const digits = zone.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2))
  if (hours > 14 || minutes > 59) return undefined
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes)
}

/**
 * The smallest stored timestamp that is `>=` an instant: stored values have whole seconds, so a
 * fractional instant moves up to the next second.
 */
export function lowerBoundTimestamp(ms: number): string {
  return formatTimestamp(Math.ceil(ms / 1000) * 1000)
}

/** A timestamp from a caller (admin input), normalised to the stored form. */
export const timestampInput = z.string().transform((text, ctx) => {
  const ms = parseInstant(text)
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a timestamp with a zone: ${JSON.stringify(text)}` })
    return z.NEVER
  }
  return formatTimestamp(ms)
})
