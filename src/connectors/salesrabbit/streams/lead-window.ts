import { z } from 'zod'
import type { ReadRequest } from '../../types.ts'
import { formatInstant, parseInstant } from '../timestamps.ts'

const instant = z.string().refine((text) => parseInstant(text) !== undefined, 'not a timestamp with a zone')

/**
 * Where the leads stream stands. Pages come back in no dateModified order, so a page proves
 * nothing about time and cannot move the watermark: inside a run the cursor says which page comes
 * next under the same filter; only the run's last page turns it into a new watermark.
 */
export const leadsCursorSchema = z.union([
  /** a finished run: everything modified before `watermark` has been read */
  z.object({ watermark: instant }).strict(),
  /** inside a run: `page` is committed; resume at page + 1 with the same `since` */
  z
    .object({
      /** the run's If-Modified-Since; null = a full read */
      since: instant.nullable(),
      page: z.number().int().positive(),
      /** the source's clock at the run's first request */
      runStart: instant,
      /** the newest dateModified taken so far (starting from the previous watermark) */
      maxSeen: instant.nullable(),
    })
    .strict(),
])

export type LeadsCursor = z.infer<typeof leadsCursorSchema>

/** One read of the leads, in epoch ms: what to ask for and what to keep. */
export interface LeadsWindow {
  /** If-Modified-Since, and the client-side lower bound (the server's filter is not documented as reliable) */
  since: number | null
  /** a backfill's exclusive upper bound */
  until: number | null
  /** the next page to request */
  page: number
  runStart: number | undefined
  maxSeen: number | null
}

const ms = (text: string) => parseInstant(text) as number
const optionalMs = (text: string | null | undefined) => (text ? ms(text) : null)

/** Where a read starts: a run's paging resumed, or a new run from the watermark, a window or the start. */
export function planLeadsWindow(request: ReadRequest<LeadsCursor>): LeadsWindow {
  const { cursor, kind } = request
  const since = kind === 'backfill' ? optionalMs(request.since) : null
  const until = kind === 'backfill' ? optionalMs(request.until) : null
  if (cursor && 'page' in cursor) {
    const cursorSince = optionalMs(cursor.since)
    // a full read resumes only its own (unfiltered) paging, a backfill only its own window
    const resumes =
      kind === 'incremental' ||
      (kind === 'full' && cursorSince === null) ||
      (kind === 'backfill' && cursorSince === since)
    if (resumes) {
      const runStart = ms(cursor.runStart)
      return { since: cursorSince, until, page: cursor.page + 1, runStart, maxSeen: optionalMs(cursor.maxSeen) }
    }
  }
  if (kind === 'incremental' && cursor && 'watermark' in cursor) {
    const watermark = ms(cursor.watermark)
    const lookback = request.applyLookback ? request.lookbackSeconds * 1000 : 0
    return { since: watermark - lookback, until: null, page: 1, runStart: undefined, maxSeen: watermark }
  }
  return { since, until, page: 1, runStart: undefined, maxSeen: null }
}

/** Records modified at or after this are left for a later run (a backfill's `until`, the horizon). */
export function upperBound(window: LeadsWindow, horizonSeconds: number): number | null {
  const horizon =
    horizonSeconds > 0 && window.runStart !== undefined ? window.runStart - horizonSeconds * 1000 : null
  const bounds = [window.until, horizon].filter((b): b is number => b !== null)
  return bounds.length ? Math.min(...bounds) : null
}

/** The cursor after committing `page` of a run that goes on. */
export function pagingCursor(window: LeadsWindow, page: number): LeadsCursor {
  return {
    since: window.since === null ? null : formatInstant(window.since),
    page,
    runStart: formatInstant(window.runStart as number),
    maxSeen: window.maxSeen === null ? null : formatInstant(window.maxSeen),
  }
}

/**
 * The cursor after the run's last page: min(newest dateModified taken, run start − horizon).
 * Offset paging over a live table can skip a record that changes while the run pages (it moves
 * into a page already read). Such a record was modified after the run's first request, so its
 * dateModified is at or after `runStart` on the source's own clock; a watermark never past
 * `runStart` makes the next run (from watermark − lookback) read it. When the newest dateModified
 * taken is lower, it is the bound: a record that becomes visible late with a stamp between the
 * two is still ahead of the watermark.
 */
export function finalCursor(window: LeadsWindow, horizonSeconds: number): LeadsCursor {
  const runStart = (window.runStart as number) - horizonSeconds * 1000
  return { watermark: formatInstant(Math.min(window.maxSeen ?? runStart, runStart)) }
}
