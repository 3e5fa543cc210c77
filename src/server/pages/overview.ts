import { listRuns } from '../../warehouse/sql/runs.ts'
import { rowsPerHour } from '../../warehouse/sql/dashboard.ts'
import { barChart } from '../charts/svg-chart.ts'
import { catalogOf, loadHealth, loadOverview, loadStreams, type Health, type StreamView } from '../data.ts'
import type { AppDeps } from '../deps.ts'
import { badge, fmtAgo, fmtBytes, fmtDuration, fmtError, fmtInt, fmtPercent } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'
import type { SourceCatalog } from '../ports.ts'
import { card, runLink, table } from './layout.ts'
import { runningTable } from './running.ts'
import { runsTable } from './runs.ts'

export async function overviewPage(deps: AppDeps): Promise<SafeHtml> {
  const [overview, health, streams, alerts, hours, recent, catalog] = await Promise.all([
    loadOverview(deps),
    loadHealth(deps),
    loadStreams(deps),
    deps.alerts.list({ statuses: ['open', 'acknowledged'], limit: 8 }),
    rowsPerHour(deps.warehouse, 24),
    listRuns(deps.warehouse, { limit: 10 }),
    catalogOf(deps),
  ])
  const { last24h, today } = overview
  const stale = streams.filter((s) => s.stale)
  const open = alerts.filter((a) => a.status === 'open')
  const cards = html`<section class="cards">
${card('Running now', fmtInt(overview.running.length), overview.running.length ? `${fmtInt(overview.running.reduce((n, r) => n + r.fetched, 0))} rows so far` : 'nothing running', overview.running.length ? 'run' : '')}
${card('Success rate, 24 h', fmtPercent(overview.successRate24h), `${fmtInt(last24h.succeeded)} of ${fmtInt(last24h.succeeded + last24h.partial + last24h.failed)} finished runs`, overview.successRate24h !== null && overview.successRate24h < 0.95 ? 'warn' : '')}
${card('Rows read, 24 h', fmtInt(last24h.fetched), `${fmtInt(last24h.inserted)} inserted, ${fmtInt(last24h.updated)} updated, ${fmtInt(last24h.rejected)} rejected, ${fmtInt(last24h.coerced)} coerced`)}
${card('Failed today', fmtInt(today.failed), `${fmtInt(today.partial)} partial, ${fmtInt(today.cancelled)} cancelled since 00:00 UTC`, today.failed ? 'bad' : '')}
${card('Open alerts', fmtInt(open.length), html`<a href="/monitoring/alerts">${fmtInt(alerts.length - open.length)} acknowledged</a>`, open.length ? 'bad' : '')}
${card('Stale streams', fmtInt(stale.length), `of ${fmtInt(streams.length)} streams`, stale.length ? 'warn' : '')}
</section>`
  const chart = barChart({
    title: 'Rows read per hour, last 24 h (UTC)',
    labels: hours.map((h) => h.hour.slice(11, 16)),
    series: [{ name: 'rows read', values: hours.map((h) => h.fetched) }],
    yLabel: 'rows',
  })
  const alertRows = alerts.map(
    (a) => html`<tr><td>${badge(a.severity)}</td><td>${a.title}<div class="muted small">${a.source ?? ''}${a.stream ? `.${a.stream}` : ''}</div></td><td>${badge(a.status)}</td><td>${fmtAgo(a.openedAt)}</td></tr>`,
  )
  const staleRows = stale.map(
    (s) => html`<tr><td>${s.source}.${s.stream}</td><td>${fmtAgo(s.lastSuccessAt)}</td><td>${badge(s.lastStatus)} ${runLink(s.lastRunId)}</td></tr>`,
  )
  return html`${cards}
<section><h2>Running now</h2>${runningTable(overview.running)}</section>
<section><h2>Streams</h2>${streamsTable(streams)}</section>
<section class="grid2">
  <div class="panel"><h2>Start a sync</h2>${syncForm(catalog, deps)}</div>
  <div class="panel">${chart}</div>
</section>
<section class="grid2">
  <div class="panel"><h2>Open alerts</h2>${table(['Severity', 'Alert', 'Status', 'Opened'], alertRows, 'no open alerts: the alert rules watch every run and open one when something needs you')}</div>
  <div class="panel"><h2>Stale streams</h2>${table(['Stream', 'Last success', 'Last run'], staleRows, 'no stale streams: every stream that ran has succeeded recently')}</div>
</section>
<section><h2>Health</h2>${healthPanel(health)}</section>
<section><h2>Recent runs</h2>${runsTable(recent)}<p><a href="/monitoring/runs">All runs →</a></p></section>`
}

/** Every stream with its rows in the warehouse; status and rows follow the live feed. */
function streamsTable(streams: StreamView[]): SafeHtml {
  const rows = streams.map(
    (s) => html`<tr data-stream="${s.source}.${s.stream}"><td><a href="/monitoring/data/${encodeURIComponent(s.source)}/${encodeURIComponent(s.stream)}">${s.source}.${s.stream}</a></td>
<td data-field="status">${s.runningRunId !== null ? badge('running') : s.lastStatus ? badge(s.lastStatus) : html`<span class="muted">never run</span>`}${s.stale ? html` <span class="badge warn">stale</span>` : ''}</td>
<td class="num" data-field="rows">${s.rows === null ? html`<span class="muted">no table yet</span>` : fmtInt(s.rows)}</td>
<td>${fmtAgo(s.lastSuccessAt)}</td><td>${runLink(s.runningRunId ?? s.lastRunId)}</td></tr>`,
  )
  return table(['Stream', 'Status', 'Rows in the warehouse', 'Last success', 'Last run'], rows, html`no stream has been synced yet: start one below or with <code>crmsync sync salespro</code>`, { cls: 'streams' })
}

function syncForm(catalog: SourceCatalog[], deps: AppDeps): SafeHtml {
  if (!deps.token) return html`<p class="muted">Starting syncs from the dashboard needs a token (set <code>CRMSYNC_DASHBOARD_TOKEN</code> and restart <code>crmsync serve</code>).</p>`
  const configured = catalog.filter((c) => c.configured)
  const unconfigured = catalog.filter((c) => !c.configured)
  if (!configured.length)
    return html`<p class="muted">No source is configured in this process.</p>${unconfigured.map((c) => html`<p class="small err">${c.source}: ${c.problem}</p>`)}`
  return html`<form id="sync-form" class="stack">
<label>What <select name="target" id="sync-target">${configured.map(
    (c) => html`<optgroup label="${c.source}"><option value="${c.source}">${c.source}: every stream</option>${c.streams.map((s) => html`<option value="${c.source}.${s}">${c.source}.${s}</option>`)}</optgroup>`,
  )}</select></label>
<fieldset class="inline"><legend>Mode</legend>
<label><input type="radio" name="mode" value="incremental" checked> incremental <span class="muted">(from the stored cursor)</span></label>
<label><input type="radio" name="mode" value="full"> full <span class="muted">(re-read everything, merge)</span></label></fieldset>
<button type="submit" id="sync-now" class="primary">Sync now</button>
</form>${unconfigured.map((c) => html`<p class="small muted">${c.source} is not configured: ${fmtError(c.problem, 200)}</p>`)}`
}

function healthPanel(h: Health): SafeHtml {
  const w = h.warehouse
  const workers = h.workers.list
  const schedules = h.schedules.list
  const notClosed = h.breakers.filter((b) => b.state !== 'closed')
  return html`<div class="cards health">
${card('Warehouse', w.reachable ? html`<span class="badge ok">reachable</span>` : html`<span class="badge bad">unreachable</span>`, w.reachable ? `${w.kind}, answered in ${fmtDuration(w.latencyMs)}` : fmtError(w.error))}
${card('Connection pool', `${fmtInt(w.pool.inUse)} / ${fmtInt(w.pool.max)} in use`, `${fmtInt(w.pool.size)} open, ${fmtInt(w.pool.waiting)} waiting`, w.pool.waiting > 0 ? 'warn' : '')}
${card('Workers', workers === null ? 'none' : fmtInt(workers.length), workers === null ? (h.workers.error ? fmtError(h.workers.error) : 'no workers running: syncs run in this server or the CLI') : workers.length ? workers.map((x) => `${x.host} pid ${x.pid} (${x.running}/${x.concurrency} busy)`).join(', ') : 'no workers running')}
${card('Schedules', html`<a href="/monitoring/schedules">${schedules === null ? 'none' : fmtInt(schedules.length)}</a>`, schedules === null ? (h.schedules.error ? fmtError(h.schedules.error) : 'no schedules') : schedules.length ? `${schedules.filter((s) => !s.paused).length} active` : 'no schedules')}
${card('Server memory', fmtBytes(h.memory.rss), `heap ${fmtBytes(h.memory.heapUsed)} of ${fmtBytes(h.memory.heapTotal)}; pid ${h.pid}, up ${fmtDuration(h.uptimeSeconds * 1000)}`)}
${card('Circuit breakers', notClosed.length ? html`${notClosed.map((b) => html`${b.source} ${badge(b.state)} `)}` : html`<span class="badge ok">all closed</span>`, h.breakers.length ? `${h.breakers.length} sources tracked` : 'no source has failed yet', notClosed.length ? 'warn' : '')}
</div>`
}
