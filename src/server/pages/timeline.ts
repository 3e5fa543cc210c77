import { listRunsOverlapping, type DbTimelineRun } from '../../warehouse/sql/timeline.ts'
import { timelineChart } from '../charts/timeline-chart.ts'
import type { AppDeps } from '../deps.ts'
import { fmtDuration, fmtInt } from '../format.ts'
import { html, queryString, type SafeHtml } from '../html.ts'
import { describeWindow, rangePicker, rangeQueryString, resolveWindow, type RangeQuery } from '../time-range.ts'
import { streamHref } from './stream-detail.ts'

export const TIMELINE_DEFAULT_RANGE = '24h'
/** more bars than this are no longer told apart at 1,200 px: the newest are drawn and the page says so */
export const TIMELINE_MAX_BARS = 2000

const iso = (t: number) => new Date(t).toISOString()

/** Links that move the window: the middle half, twice as wide, half a window earlier or later. */
function zoomLinks(since: number, until: number, now: number): SafeHtml {
  const span = until - since
  const link = (from: number, to: number, label: string, id: string) => {
    // a window that reaches now stays open-ended, so it keeps following new runs
    const href = `/monitoring/timeline${queryString({ since: iso(Math.max(0, from)), until: to >= now ? undefined : iso(to) })}`
    return html`<a class="button small" id="${id}" href="${href}">${label}</a>`
  }
  return html`<nav class="zoom">${link(since + span / 4, until - span / 4, 'zoom in', 'zoom-in')}${link(since - span / 2, until + span / 2, 'zoom out', 'zoom-out')}
${link(since - span / 2, until - span / 2, '← earlier', 'earlier')}${until < now ? link(since + span / 2, until + span / 2, 'later →', 'later') : ''}</nav>`
}

const barLabel = (r: DbTimelineRun) =>
  `run #${r.id} ${r.source}.${r.stream} (${r.mode}${r.dry_run ? ', dry run' : ''}): ${r.status}${r.error_code ? ` (${r.error_code})` : ''}, ${fmtInt(r.fetched)} records, ` +
  `${iso(new Date(r.started_at).getTime()).slice(0, 19).replace('T', ' ')} UTC, ${r.status === 'running' ? 'running for ' : ''}${fmtDuration(new Date(r.ended_at).getTime() - new Date(r.started_at).getTime())}`

/**
 * Every run in a window, one lane per stream: what ran when, for how long, and how it ended. One
 * query bounded by the window and by TIMELINE_MAX_BARS (+1, to know when it cut).
 */
export async function timelinePage(deps: AppDeps, q: RangeQuery): Promise<SafeHtml> {
  const now = Date.now()
  const asked = resolveWindow(q, TIMELINE_DEFAULT_RANGE, now)
  const found = await listRunsOverlapping(deps.warehouse, asked, TIMELINE_MAX_BARS + 1)
  const runs = found.slice(0, TIMELINE_MAX_BARS)
  const capped = found.length > TIMELINE_MAX_BARS
  const oldest = runs.length ? Math.min(...runs.map((r) => new Date(r.started_at).getTime())) : now - 3_600_000
  // "all time" starts at the oldest run drawn, a window's start is its own
  const since = asked.since?.getTime() ?? oldest
  const until = asked.until?.getTime() ?? now
  const lanes = [...new Set(runs.map((r) => `${r.source}.${r.stream}`))].sort().map((name) => {
    const [source, stream] = name.split(/\.(.+)/)
    return { name, href: `${streamHref(source, stream)}${rangeQueryString(q)}` }
  })
  const words = describeWindow(q, TIMELINE_DEFAULT_RANGE)
  const chart = runs.length
    ? timelineChart({
        title: `Runs, ${words}: ${fmtInt(runs.length)} run${runs.length === 1 ? '' : 's'} in ${fmtInt(lanes.length)} stream${lanes.length === 1 ? '' : 's'}`,
        lanes,
        // oldest first, so where bars overlap the newest is drawn on top
        bars: runs.toReversed().map((r) => ({ runId: r.id, lane: `${r.source}.${r.stream}`, status: r.status, start: new Date(r.started_at), end: new Date(r.ended_at), label: barLabel(r) })),
        since: new Date(since),
        until: new Date(until),
        now: new Date(now),
      })
    : html`<p class="empty" id="timeline-empty">no run in this range (${words}): choose a wider one, or start a sync</p>`
  const note = capped
    ? html`<p class="capped-note" id="timeline-capped">More than ${fmtInt(TIMELINE_MAX_BARS)} runs overlap this range: the newest ${fmtInt(TIMELINE_MAX_BARS)} are drawn. Zoom in or choose a shorter range to see the others.</p>`
    : ''
  return html`${rangePicker('/monitoring/timeline', q, TIMELINE_DEFAULT_RANGE)}
${zoomLinks(since, until, now)}
${note}
<section class="panel" id="timeline">${chart}
<p class="muted small">Each bar is a run, from its start to its end (a running run's reaches now); click one for its page. Times are UTC.</p></section>`
}
