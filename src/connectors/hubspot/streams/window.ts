import { z } from 'zod'
import type { ReadRequest } from '../../types.ts'

/**
 * Where an object stream is, and what to read next. Times are epoch milliseconds as exact decimal
 * strings (HubSpot's search filters take them as such); ids are decimal strings.
 *
 * Full pass (`--full`, or nothing stored):
 *   list   GET /crm/v3/objects/{type}?limit=100&after=…  the uncapped list endpoint, in id order.
 *          `listStartedAt` is taken before the first page and carried by every page's cursor.
 *   archived  the same with archived=true, so records archived at the source land with archived_at
 *          set (a soft delete). Its last page's cursor is `{phase: search, from: listStartedAt}`:
 *          the next run is incremental from the moment the pass began, so whatever changed while
 *          the pass was reading is read again.
 *
 * Incremental (`{phase: search, from}`): ONE fixed window [lo, hi), lo = from − lookback,
 * hi = now − horizon, both fixed when the read starts. Inside it, pages are read by KEYSET ON ID:
 *   filters  modified ≥ lo AND modified < hi AND hs_object_id > lastId
 *   sort     hs_object_id ascending, limit 200, and never `after`: every page is the first page of
 *            a fresh query.
 * Why not `after`: HubSpot's search `after` is an offset into a result set that is recomputed per
 * call. A record modified while we page leaves or enters the set and shifts every later offset, so
 * records are skipped or read twice; and past 10,000 results the offset is refused with a 400, so
 * a window holding more than 10,000 records (a month-end batch job stamps that many with ONE
 * modified time) cannot be read at all. With the id keyset no query ever asks past its first 200
 * results, any number of records sharing a timestamp are read completely and once, and a record
 * modified during the run simply leaves the window (its new time is ≥ hi) without moving the
 * others; the next window, which starts at hi − lookback, reads it.
 * Results are checked client-side against [lo, hi) too: HubSpot has returned records newer than
 * asked. After the window: the archived list again (keeping only records archived since
 * lo − lookback), and the final cursor is `{phase: search, from: hi}`.
 *
 * Backfill (`--since/--until`): the window [since, until) read the same way.
 */
const MS = z.string().regex(/^\d{1,16}$/, 'epoch milliseconds')
const ID = z.string().regex(/^\d{1,20}$/, 'a numeric id')

export const objectCursorSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('list'), after: z.string().min(1).optional(), listStartedAt: MS }),
  z.object({
    phase: z.literal('archived'),
    after: z.string().min(1).optional(),
    /** the `from` of the cursor that ends this phase */
    next: MS,
    /** keep only records archived at or after this time; unset keeps all (a full pass) */
    since: MS.optional(),
  }),
  z.object({ phase: z.literal('search'), from: MS, to: MS.optional(), lastId: ID.optional() }),
])
export type ObjectCursor = z.infer<typeof objectCursorSchema>

export interface SearchWindow {
  lo: string
  hi: string
  lastId: string
  /** where the read goes once the window is exhausted */
  then: ObjectCursor
}

export type ReadPlan =
  | { phase: 'list'; after?: string; listStartedAt: string }
  | { phase: 'archived'; after?: string; next: string; since?: string }
  | ({ phase: 'search' } & SearchWindow)
  | { phase: 'done' }

const ms = (value: number) => String(Math.max(0, Math.floor(value)))
const later = (a: string, b: string) => (BigInt(a) >= BigInt(b) ? a : b)

/** What a read does first, from its request and the clock (epoch ms). */
export function planRead(request: ReadRequest<ObjectCursor>, nowMs: number): ReadPlan {
  const { cursor } = request
  const lookbackMs = request.lookbackSeconds * 1000
  const hiNow = nowMs - request.horizonSeconds * 1000
  if (request.kind === 'backfill' && !cursor) {
    const lo = request.since ? Date.parse(request.since) : 0
    const until = request.until ? Date.parse(request.until) : hiNow
    const hi = ms(Math.min(until, hiNow))
    return { phase: 'search', lo: ms(lo), hi, lastId: '0', then: { phase: 'search', from: hi } }
  }
  if (!cursor) return { phase: 'list', listStartedAt: ms(nowMs) }
  if (cursor.phase === 'list') return { ...cursor }
  if (cursor.phase === 'archived') return { ...cursor }
  if (cursor.to !== undefined) {
    // a window left unfinished: the same window, from the id after the last one committed
    const then: ObjectCursor =
      request.kind === 'backfill'
        ? { phase: 'search', from: cursor.to }
        : { phase: 'archived', next: cursor.to, since: ms(Number(cursor.from) - lookbackMs) }
    return { phase: 'search', lo: cursor.from, hi: cursor.to, lastId: cursor.lastId ?? '0', then }
  }
  // a full pass whose last page was committed (a pass always starts with no cursor): nothing is left
  if (request.kind !== 'incremental') return { phase: 'done' }
  const lo = ms(Number(cursor.from) - (request.applyLookback ? lookbackMs : 0))
  const hi = ms(hiNow)
  // the stored position never moves backwards, even when the horizon puts hi before it
  const next = later(hi, cursor.from)
  const since = ms(Number(lo) - lookbackMs)
  if (BigInt(hi) <= BigInt(lo)) return { phase: 'archived', next, since }
  return { phase: 'search', lo, hi, lastId: '0', then: { phase: 'archived', next, since } }
}

/** The search body for the next keyset page of a window. */
export function searchBody(
  window: SearchWindow,
  modifiedProperty: string,
  properties: readonly string[],
  limit: number,
) {
  return {
    filterGroups: [
      {
        filters: [
          { propertyName: modifiedProperty, operator: 'GTE', value: window.lo },
          { propertyName: modifiedProperty, operator: 'LT', value: window.hi },
          { propertyName: 'hs_object_id', operator: 'GT', value: window.lastId },
        ],
      },
    ],
    sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
    properties,
    limit,
  }
}

/** A record's modified time in epoch ms: the modified property, else `updatedAt`. */
export function modifiedMs(
  record: { properties: Record<string, string | null>; updatedAt: string },
  modifiedProperty: string,
): number {
  const text = record.properties[modifiedProperty] ?? record.updatedAt
  return /^\d+$/.test(text) ? Number(text) : Date.parse(text)
}

export const inWindow = (modified: number, window: Pick<SearchWindow, 'lo' | 'hi'>) =>
  modified >= Number(window.lo) && modified < Number(window.hi)

/** The larger of two decimal ids, exactly. */
export const maxId = (a: string, b: string) => (BigInt(a) >= BigInt(b) ? a : b)

/** The cursor after one search page: the same window from its last id, or what follows the window. */
export function afterSearchPage(window: SearchWindow, lastId: string, more: boolean): ObjectCursor {
  return more ? { phase: 'search', from: window.lo, to: window.hi, lastId } : window.then
}
