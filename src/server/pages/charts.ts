import { errorKinds, outcomesPerDay, rowsPerSourceDay, runDurations } from '../../warehouse/sql/dashboard.ts'
import { barChart, hbarChart, lineChart, timeScatter } from '../charts/svg-chart.ts'
import { loadTables } from '../data.ts'
import type { AppDeps } from '../deps.ts'
import { fmtDuration, fmtError, fmtInt } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'
import { runLink, table } from './layout.ts'

const DAYS = 7

export async function chartsPage(deps: AppDeps): Promise<SafeHtml> {
  const [durations, days, sourceDays, errors, tables] = await Promise.all([
    runDurations(deps.warehouse, DAYS, 500),
    outcomesPerDay(deps.warehouse, DAYS),
    rowsPerSourceDay(deps.warehouse, DAYS),
    errorKinds(deps.warehouse, DAYS),
    loadTables(deps),
  ])
  const sources = [...new Set([...durations.map((d) => d.source), ...sourceDays.map((d) => d.source)])].sort()
  const empty = (text: string) => html`<p class="empty">${text}</p>`

  const durationChart = durations.length
    ? timeScatter({
        title: `Run duration, last ${DAYS} days (the ${fmtInt(durations.length)} latest finished runs)`,
        yLabel: 'seconds',
        yFormat: (n) => `${+n.toFixed(1)}`,
        series: sources.map((source) => ({
          name: source,
          points: durations
            .filter((d) => d.source === source)
            .map((d) => ({ at: new Date(d.started_at), value: d.duration_ms / 1000, label: `run #${d.id} ${d.source}.${d.stream}: ${fmtDuration(d.duration_ms)} (${d.status})` })),
        })),
      })
    : empty('no finished runs in the last 7 days: the durations appear here once syncs have run')

  const labels = days.map((d) => d.day.slice(5))
  const rowsChart = sourceDays.length
    ? barChart({
        title: `Records read per day by source, last ${DAYS} days`,
        labels,
        stacked: true,
        yLabel: 'records',
        series: sources.map((source) => ({ name: source, values: days.map((d) => sourceDays.find((x) => x.day === d.day && x.source === source)?.fetched ?? 0) })),
      })
    : empty('no records read in the last 7 days')
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
        title: `Success rate per day, last ${DAYS} days (succeeded ÷ finished; days without runs are gaps)`,
        labels,
        yMax: 100,
        yLabel: '%',
        yFormat: (n) => `${Math.round(n)}`,
        series: [{ name: 'success rate', cls: 'ok', values: days.map((d, i) => (finished[i] ? (d.succeeded / finished[i]) * 100 : null)) }],
      })
    : empty('no finished runs in the last 7 days')
  const outcomeChart = barChart({
    title: 'Runs per day by outcome',
    labels,
    stacked: true,
    yLabel: 'runs',
    series: [
      { name: 'succeeded', cls: 'ok', values: days.map((d) => d.succeeded) },
      { name: 'partial', cls: 'warn', values: days.map((d) => d.partial) },
      { name: 'failed', cls: 'bad', values: days.map((d) => d.failed) },
      { name: 'cancelled', cls: 'muted', values: days.map((d) => d.cancelled) },
    ],
  })

  const errorChart = errors.length
    ? hbarChart({ title: `Error kinds of failed and partial runs, last ${DAYS} days (runs)`, items: errors.map((e) => ({ label: e.error_code, value: e.runs, cls: 'bad' })), format: fmtInt })
    : empty('no failed or partial runs in the last 7 days')
  const errorRows = errors.map((e) => html`<tr><td><code>${e.error_code}</code></td><td class="num">${fmtInt(e.runs)}</td><td>${runLink(e.last_run_id)}</td><td>${fmtError(e.last_error, 160)}</td></tr>`)

  return html`<section class="grid2">
<div class="panel">${durationChart}</div>
<div class="panel">${rowsChart}${warehouseRows}</div>
<div class="panel">${successChart}${outcomeChart}</div>
<div class="panel">${errorChart}${errors.length ? table(['Error', 'Runs', 'Latest', 'Latest message'], errorRows, '') : ''}</div>
</section>`
}
