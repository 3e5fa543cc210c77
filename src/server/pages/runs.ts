import { RUN_STATUSES } from '../../engine/run-state.ts'
import { countRuns } from '../../warehouse/sql/dashboard.ts'
import { listStreamOverview } from '../../warehouse/sql/overview.ts'
import { listRuns, type DbRun } from '../../warehouse/sql/runs.ts'
import type { AppDeps } from '../deps.ts'
import { badge, fmtDuration, fmtError, fmtInt, fmtTime } from '../format.ts'
import { html, queryString, type SafeHtml } from '../html.ts'
import { runFilter, type RunQuery } from '../run-filter.ts'
import { rangeInputs } from '../time-range.ts'
import { runLink, table } from './layout.ts'

export function runsTable(runs: DbRun[], empty: SafeHtml | string = html`no runs yet: start one with <b>Sync now</b> or <code>crmsync sync salespro</code>`): SafeHtml {
  return table(
    ['Run', 'Stream', 'Mode', 'Trigger', 'Status', 'Started', 'Took', 'Fetched', 'Inserted', 'Updated', 'Unchanged', 'Rejected', 'Coerced', 'Deleted', 'Error'],
    runs.map(
      (r) => html`<tr data-run-id="${r.id}" data-status="${r.status}">
<td>${runLink(r.id)}</td><td>${r.source}.${r.stream}</td><td>${r.mode}${r.dry_run ? html` <span class="badge muted" title="nothing was written: the counts are what it would have done">dry run</span>` : ''}</td><td>${r.trigger}</td><td>${badge(r.status)}</td>
<td>${fmtTime(r.started_at)}</td><td class="num">${r.duration_ms === null ? '…' : fmtDuration(r.duration_ms)}</td>
<td class="num">${fmtInt(r.fetched)}</td><td class="num">${fmtInt(r.inserted)}</td><td class="num">${fmtInt(r.updated)}</td>
<td class="num">${fmtInt(r.unchanged)}</td><td class="num">${fmtInt(r.rejected)}</td><td class="num" data-field="coerced">${fmtInt(r.coerced)}</td><td class="num">${fmtInt(r.deleted)}</td>
<td>${fmtError(r.error, 60)}</td></tr>`,
    ),
    empty,
    { cls: 'runs' },
  )
}

const option = (value: string, label: string, selected: string | undefined) => html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`

export async function runsPage(deps: AppDeps, q: RunQuery): Promise<SafeHtml> {
  const filter = runFilter(q)
  const [runs, total, streams] = await Promise.all([listRuns(deps.warehouse, filter), countRuns(deps.warehouse, filter), listStreamOverview(deps.warehouse)])
  const sources = [...new Set(streams.map((s) => s.source))]
  const names = [...new Set(streams.filter((s) => !q.source || s.source === q.source).map((s) => s.stream))].sort()
  const from = total ? (filter.offset ?? 0) + 1 : 0
  const to = (filter.offset ?? 0) + runs.length
  const base = { source: q.source, stream: q.stream, status: q.status, range: q.range, since: q.since, until: q.until, limit: q.limit === 50 ? undefined : q.limit }
  const pageLink = (page: number, label: string) => html`<a class="button small" href="/monitoring/runs${queryString({ ...base, page })}">${label}</a>`
  const filtered = Boolean(q.source || q.stream || q.status || (q.range && q.range !== 'all') || q.since || q.until)
  const form = html`<form class="filters" id="range-picker" method="get" action="/monitoring/runs">
<label>Source <select name="source">${option('', 'any', q.source)}${sources.map((s) => option(s, s, q.source))}</select></label>
<label>Stream <select name="stream">${option('', 'any', q.stream)}${names.map((s) => option(s, s, q.stream))}</select></label>
<label>Status <select name="status">${option('', 'any', q.status)}${RUN_STATUSES.map((s) => option(s, s, q.status))}</select></label>
${rangeInputs(q, 'all')}
<button type="submit">Filter</button>${filtered ? html` <a href="/monitoring/runs">clear</a>` : ''}
</form>`
  const empty = filtered ? 'no run matches these filters' : html`no runs yet: start one with <b>Sync now</b> or <code>crmsync sync salespro</code>`
  return html`${form}
<p class="muted" id="runs-count">${total ? `runs ${fmtInt(from)}–${fmtInt(to)} of ${fmtInt(total)}, newest first` : ''}</p>
${runsTable(runs, empty)}
<nav class="pager">${q.page > 1 ? pageLink(q.page - 1, '← newer') : ''} ${to < total ? pageLink(q.page + 1, 'older →') : ''}</nav>`
}
