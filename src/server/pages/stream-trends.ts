import { streamRunTrend, type DbRunTrend } from '../../warehouse/sql/timeline.ts'
import { timeScatter, type TimePoint } from '../charts/svg-chart.ts'
import type { AppDeps } from '../deps.ts'
import { fmtDuration, fmtInt, statusClass } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'
import { describeWindow, rangePicker, resolveWindow, type RangeQuery } from '../time-range.ts'
import { TIMELINE_STATUSES } from '../charts/timeline-chart.ts'

export const TRENDS_DEFAULT_RANGE = '7d'
/** the latest runs a trend draws; a stream synced every minute has 10,080 runs in 7 days */
export const TREND_MAX_RUNS = 500

const point = (r: DbRunTrend, value: number, what: string): TimePoint => ({ at: new Date(r.started_at), value, label: `run #${r.id} (${r.mode}, ${r.status}): ${what}` })

/** records per second of a run, over its whole duration (reads and writes) */
const rate = (r: DbRunTrend) => (r.duration_ms > 0 ? r.fetched / (r.duration_ms / 1000) : 0)

function rowsChart(runs: DbRunTrend[], words: string): SafeHtml {
  const series = (['fetched', 'inserted', 'updated'] as const).map((field, i) => ({
    name: field,
    cls: `s${[0, 2, 1][i]}`,
    points: runs.map((r) => point(r, r[field], `${fmtInt(r[field])} ${field}`)),
  }))
  return timeScatter({ title: `Records per run, ${words}`, yLabel: 'records', series })
}

/** one series per outcome, in the outcome's colour, so a slow failed run stands out */
function byOutcome(runs: DbRunTrend[], title: string, yLabel: string, value: (r: DbRunTrend) => number, words: (r: DbRunTrend) => string): SafeHtml {
  const series = TIMELINE_STATUSES.map((status) => ({ name: status, cls: statusClass(status), points: runs.filter((r) => r.status === status).map((r) => point(r, value(r), words(r))) })).filter(
    (s) => s.points.length > 0,
  )
  return timeScatter({ title, yLabel, yFormat: (n) => `${+n.toFixed(1)}`, series })
}

/** A stream's runs over the chosen range: rows, duration and rows per second, per run. */
export async function trendsSection(deps: AppDeps, source: string, stream: string, q: RangeQuery, action: string): Promise<SafeHtml> {
  const runs = await streamRunTrend(deps.warehouse, source, stream, resolveWindow(q, TRENDS_DEFAULT_RANGE), TREND_MAX_RUNS)
  const words = describeWindow(q, TRENDS_DEFAULT_RANGE)
  const shown = runs.length === TREND_MAX_RUNS ? ` (the latest ${fmtInt(TREND_MAX_RUNS)})` : ''
  const charts = runs.length
    ? html`<div class="grid2">
<div class="panel" id="trend-rows">${rowsChart(runs, words + shown)}</div>
<div class="panel" id="trend-duration">${byOutcome(runs, `Duration per run, ${words}${shown}`, 'seconds', (r) => r.duration_ms / 1000, (r) => fmtDuration(r.duration_ms))}</div>
<div class="panel" id="trend-rate">${byOutcome(runs, `Records per second per run, ${words}${shown}`, 'records/s', rate, (r) => `${fmtInt(rate(r))} records/s`)}</div>
</div>`
    : html`<p class="empty" id="trends-empty">no finished run of ${source}.${stream} in this range (${words})</p>`
  return html`<section id="trends"><h2>Trends <span class="muted">(${fmtInt(runs.length)} finished run${runs.length === 1 ? '' : 's'})</span></h2>
${rangePicker(action, q, TRENDS_DEFAULT_RANGE)}
${charts}</section>`
}
