/**
 * SalesRabbit writes instants as `2023-11-21T16:50:21+00:00`: UTC, whole seconds. Cursor maths
 * works on epoch milliseconds (exact at whole seconds); values keep the source's text.
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}(?::?\d{2})?)$/

/** Epoch ms of an ISO-8601 instant with an explicit zone; undefined without a zone, on 31 February... */
export function parseInstant(text: string): number | undefined {
  const match = INSTANT.exec(text.trim())
  if (!match) return undefined
  const [, y, mo, d, h, mi, s, fraction = '', zone] = match
  const base = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s)
  // Date.UTC rolls 31 February over into March; a real calendar date survives the round trip
  const check = new Date(base)
  const calendar = check.getUTCMonth() === +mo - 1 && check.getUTCDate() === +d
  if (!calendar || +h > 23 || +mi > 59 || +s > 59) return undefined
  const offset = zoneMinutes(zone)
  if (offset === undefined) return undefined
  return base + Math.floor(Number(`0${fraction}`) * 1000) - offset * 60_000
}

function zoneMinutes(zone: string): number | undefined {
  if (zone === 'Z') return 0
  const digits = zone.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2) || '0')
  if (hours > 14 || minutes > 59) return undefined
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes)
}

/** The API's own form, `YYYY-MM-DDTHH:MM:SS+00:00` (its docs require the explicit +00:00), to the second. */
export function formatInstant(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`
}

/** Epoch ms of an HTTP-date (the `Date` header), or undefined: the one reader, beside Retry-After's. */
export { parseHttpDate } from '../../retry.ts'
