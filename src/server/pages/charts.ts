import { errorKinds, outcomesPerBucket, rowsPerSourceBucket, runDurations, type BucketWindow } from '../../warehouse/sql/dashboard.ts'
import { firstRunStartedAt } from '../../warehouse/sql/timeline.ts'
import { barChart, hbarChart, lineChart, timeScatter } from '../charts/svg-chart.ts'
import { loadTables } from '../data.ts'
import type { AppDeps } from '../deps.ts'
import { fmtDuration, fmtError, fmtInt } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'
import { describeWindow, rangePicker, resolveWindow, type RangeQuery } from '../time-range.ts'
import { runLink, table } from './layout.ts'

/** the range the charts show when none is chosen */
export const CHARTS_DEFAULT_RANGE = '7d'
const HOUR = 3_600_000

/** Buckets small enough to show a shape and few enough to draw: at most ~120 of them. */
export function bucketUnit(since: Date, until: Date): BucketWindow['unit'] {
  const span = until.getTime() - since.getTime()
  return span <= 2 * HOUR ? 'minute' : span <= 72 * HOUR ? 'hour' : span <= 120 * 24 * HOUR ? 'day' : 'week'
}

/** A bucket's label under the axis: the time of day for minutes and hours, the date for days and weeks. */
const bucketLabel = (bucket: string, unit: BucketWindow['unit'], spansDays: boolean) =>
  unit === 'minute' || unit === 'hour' ? (spansDays ? `${bucket.slice(5, 10)} ${bucket.slice(11, 16)}` : bucket.slice(11, 16)) : bucket.slice(5, 10)

/** The window the charts draw: "all" starts at the first run, so its buckets fit what there is. */
async function chartWindow(deps: AppDeps, q: RangeQuery): Promise<BucketWindow> {
  const asked = resolveWindow(q, CHARTS_DEFAULT_RANGE)
  const since = asked.since ?? (await firstRunStartedAt(deps.warehouse)) ?? new Date(Date.now() - HOUR)
  return { since, until: asked.until, unit: bucketUnit(since, asked.until ?? new Date()) }
}

export async function chartsPage(deps: AppDeps, q: RangeQuery): Promise<SafeHtml> {
  const window = await chartWindow(deps, q)
  const [durations, days, sourceDays, errors, tables] = await Promise.all([
    runDurations(deps.warehouse, window, 500),
    outcomesPerBucket(deps.warehouse, window),
    rowsPerSourceBucket(deps.warehouse, window),
    errorKinds(deps.warehouse, window),
    loadTables(deps),
  ])
  const span = describeWindow(q, CHARTS_DEFAULT_RANGE)
  const per = window.unit
  const sources = [...new Set([...durations.map((d) => d.source), ...sourceDays.map((d) => d.source)])].sort()
  const empty = (text: string) => html`<p class="empty">${text}</p>`

  const durationChart = durations.length
    ? timeScatter({
        title: `Run duration, ${span} (the ${fmtInt(durations.length)} latest finished runs)`,
        yLabel: 'seconds',
        yFormat: (n) => `${+n.toFixed(1)}`,
        series: sources.map((source) => ({
          name: source,
          points: durations
            .filter((d) => d.source === source)
            .map((d) => ({ at: new Date(d.started_at), value: d.duration_ms / 1000, label: `run #${d.id} ${d.source}.${d.stream}: ${fmtDuration(d.duration_ms)} (${d.status})` })),
        })),
      })
    : empty(`no finished runs in this range (${span}): the durations appear here once syncs have run`)

  const spansDays = (window.until ?? new Date()).getTime() - window.since.getTime() > 24 * HOUR
  const labels = days.map((d) => bucketLabel(d.bucket, window.unit, spansDays))
  const rowsChart = sourceDays.length
    ? barChart({
        title: `Records read per ${per} by source, ${span}`,
        labels,
        stacked: true,
        yLabel: 'records',
        series: sources.map((source) => ({ name: source, values: days.map((d) => sourceDays.find((x) => x.bucket === d.bucket && x.source === source)?.fetched ?? 0) })),
      })
    : empty(`no records read in this range (${span})`)
  const warehouseRows = sources.length || tables.length
    ? hbarChart({
        title: 'Rows in the warehouse now, by source (live rows)',
        items: [...new Set(tables.map((t) => t.schema))].map((schema) => ({ label: schema, value: tables.filter((t) => t.schema === schema).reduce((n, t) => n + t.rows, 0) })),
        format: fmtInt,
      })
    : html``

  const finished = days.map((d) => d.succeeded + d.partial + d.failed)
  const successChart = finished.some((n) => n > 0)
    ? lineChart({
        title: `Success rate per ${per}, ${span} (succeeded ÷ finished; a ${per} without runs is a gap)`,
        labels,
        yMax: 100,
        yLabel: '%',
        yFormat: (n) => `${Math.round(n)}`,
        series: [{ name: 'success rate', cls: 'ok', values: days.map((d, i) => (finished[i] ? (d.succeeded / finished[i]) * 100 : null)) }],
      })
    : empty(`no finished runs in this range (${span})`)
  const outcomeChart = barChart({
    title: `Runs per ${per} by outcome`,
    labels,
    stacked: true,
    yLabel: 'runs',
    series: [
      { name: 'succeeded', cls: 'ok', values: days.map((d) => d.succeeded) },
      { name: 'partial', cls: 'warn', values: days.map((d) => d.partial) },
      { name: 'failed', cls: 'bad', values: days.map((d) => d.failed) },
      { name: 'cancelled', cls: 'cancel', values: days.map((d) => d.cancelled) },
    ],
  })

  const errorChart = errors.length
    ? hbarChart({ title: `Error kinds of failed and partial runs, ${span} (runs)`, items: errors.map((e) => ({ label: e.error_code, value: e.runs, cls: e.only_partial ? 'warn' : 'bad' })), format: fmtInt })
    : empty(`no failed or partial runs in this range (${span})`)
  const errorRows = errors.map((e) => html`<tr><td><code>${e.error_code}</code></td><td class="num">${fmtInt(e.runs)}</td><td>${runLink(e.last_run_id)}</td><td>${fmtError(e.last_error, 160)}</td></tr>`)

  return html`${rangePicker('/monitoring/charts', q, CHARTS_DEFAULT_RANGE)}
<section class="grid2">
<div class="panel">${durationChart}</div>
<div class="panel">${rowsChart}${warehouseRows}</div>
<div class="panel">${successChart}${outcomeChart}</div>
<div class="panel">${errorChart}${errors.length ? table(['Error', 'Runs', 'Latest', 'Latest message'], errorRows, '') : ''}</div>
</section>`
}
