import { z } from 'zod'
import { html, queryString, type SafeHtml } from './html.ts'

/**
 * The time range shared by the run history, the charts, a stream's trends and the timeline: one
 * control (last 1h / 24h / 7d / 30d / all, or a custom from/to), carried in the query string as
 * `range=` or `since=`/`until=`, so a link, a reload or a move to another of these pages keeps it.
 */
export const RANGES = { '1h': 3600, '24h': 86_400, '7d': 7 * 86_400, '30d': 30 * 86_400 } as const
export const RANGE_NAMES = ['1h', '24h', '7d', '30d', 'all'] as const
export type RangeName = (typeof RANGE_NAMES)[number]

const RANGE_WORDS: Record<RangeName, string> = { '1h': 'last hour', '24h': 'last 24 h', '7d': 'last 7 days', '30d': 'last 30 days', all: 'all time' }

// a time without a zone (what <input type="datetime-local"> sends) is read as UTC, like every time shown
const utc = (v: string) => Date.parse(/[Zz]$|[+-]\d{2}:?\d{2}$/.test(v) || /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : `${v}Z`)
const instant = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(utc(v)), 'must be an ISO-8601 date or time, like 2026-01-31 or 2026-01-31T10:00:00Z')
  .transform((v) => new Date(utc(v)).toISOString())

/** The fields of the range, to spread into a page's query schema. */
export const rangeFields = {
  range: z.enum(RANGE_NAMES, { message: `must be one of ${RANGE_NAMES.join(', ')}` }).optional(),
  since: instant.optional(),
  until: instant.optional(),
}

/** A window that ends before it starts is a mistake worth a 400, not an empty page. */
export function windowInOrder(q: { since?: string; until?: string }, ctx: z.RefinementCtx): void {
  if (q.since && q.until && q.since >= q.until) ctx.addIssue({ code: 'custom', path: ['until'], message: `must be after since (${q.since})` })
}

export const rangeQuerySchema = z.object(rangeFields).strict().superRefine(windowInOrder)
export type RangeQuery = z.infer<typeof rangeQuerySchema>

export interface TimeWindow {
  /** null: from the first run */
  since: Date | null
  /** null: up to now */
  until: Date | null
}

/**
 * The window a query asks for: `since` wins over `range` (a custom from/to), `until` bounds either;
 * with neither, the page's own default range.
 */
export function resolveWindow(q: RangeQuery, fallback: RangeName, now = Date.now()): TimeWindow {
  const until = q.until ? new Date(q.until) : null
  if (q.since) return { since: new Date(q.since), until }
  const name = q.range ?? (q.until ? 'all' : fallback)
  return { since: name === 'all' ? null : new Date(now - RANGES[name] * 1000), until }
}

const shortTime = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ')

/** The window in words, for a page's headings: `last 24 h`, `2026-01-01 10:00 to now (UTC)`. */
export function describeWindow(q: RangeQuery, fallback: RangeName): string {
  if (!q.since && !q.until) return RANGE_WORDS[q.range ?? fallback]
  const w = resolveWindow(q, fallback)
  return `${w.since ? shortTime(w.since) : 'the first run'} to ${w.until ? shortTime(w.until) : 'now'} (UTC)`
}

/** The range's query parameters, for links that keep it. */
export const rangeParams = (q: RangeQuery) => ({ range: q.range, since: q.since, until: q.until })

/** `?range=7d`: the range as a query string ('' when none was chosen). */
export const rangeQueryString = (q: RangeQuery) => queryString(rangeParams(q))

const local = (iso: string | undefined) => (iso ? iso.slice(0, 16) : '')

/** The control's fields: the range, and a custom from/to (UTC), for a page's own form. */
export function rangeInputs(q: RangeQuery, fallback: RangeName): SafeHtml {
  const custom = Boolean(q.since) || (Boolean(q.until) && !q.range)
  const chosen = custom ? '' : (q.range ?? fallback)
  const option = (value: string, label: string) => html`<option value="${value}"${value === chosen ? html` selected` : ''}>${label}</option>`
  return html`<label>Time range <select name="range" data-range-select>${RANGE_NAMES.map((r) => option(r, RANGE_WORDS[r]))}${option('', 'custom (from / to)')}</select></label>
<label>From (UTC) <input type="datetime-local" name="since" value="${local(q.since)}" data-range-bound></label>
<label>To (UTC) <input type="datetime-local" name="until" value="${local(q.until)}" data-range-bound></label>`
}

/** The shared control as a form of its own, keeping the page's other parameters as hidden fields. */
export function rangePicker(action: string, q: RangeQuery, fallback: RangeName, keep: Record<string, string | undefined> = {}): SafeHtml {
  const hidden = Object.entries(keep).filter(([, v]) => v !== undefined && v !== '')
  return html`<form class="filters range-picker" id="range-picker" method="get" action="${action}">
${hidden.map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}${rangeInputs(q, fallback)}
<button type="submit">Show</button></form>`
}
