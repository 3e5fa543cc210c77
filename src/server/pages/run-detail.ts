import { HTTPException } from 'hono/http-exception'
import { redactSecrets } from '../../log.ts'
import { listRunAutomationEvents, listRunPagesUpTo } from '../../warehouse/sql/dashboard.ts'
import { listRejects } from '../../warehouse/sql/rejects.ts'
import { getRun } from '../../warehouse/sql/runs.ts'
import { listRunLogs, logFieldsText, type RunLogLine } from '../../warehouse/sql/run-logs.ts'
import { barChart } from '../charts/svg-chart.ts'
import type { AppDeps } from '../deps.ts'
import { badge, fmtDuration, fmtInt, fmtCursor, fmtJson, fmtTime } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'
import { card, table } from './layout.ts'

export const REJECT_SAMPLE = 20
/** pages listed per run; the run's totals always count them all */
export const PAGE_LIMIT = 500
/** commit batches per page of the table (the chart draws them all): 171 of them made a page 7,600 px tall */
export const BATCHES_SHOWN = 25

/** Everything about one run: the JSON API and the page read the same. */
export async function loadRunDetail(deps: AppDeps, id: number) {
  const run = await getRun(deps.warehouse, id)
  if (!run) throw new HTTPException(404, { message: `there is no run ${id}` })
  const [pages, rejects, automation] = await Promise.all([
    listRunPagesUpTo(deps.warehouse, id, PAGE_LIMIT),
    listRejects(deps.warehouse, { runId: id, limit: REJECT_SAMPLE }),
    listRunAutomationEvents(deps.warehouse, id),
  ])
  return { run: { ...run, error: run.error === null ? null : redactSecrets(run.error) }, pages, rejects, automation }
}

export async function runDetailPage(deps: AppDeps, id: number, batchPage = 1): Promise<{ title: string; body: SafeHtml; running: boolean }> {
  const [{ run, pages, rejects, automation }, log] = await Promise.all([loadRunDetail(deps, id), listRunLogs(deps.warehouse, id)])
  const running = run.status === 'running'
  const facts: [string, SafeHtml | string][] = [
    ['Stream', `${run.source}.${run.stream}`],
    ['Mode', run.dry_run ? html`${run.mode} <span class="badge muted">dry run</span> <span class="muted">nothing was written; the counts are what it would have done</span>` : run.mode],
    ['Trigger', run.trigger],
    ['Status', html`${badge(run.status)}${run.stop_requested_at ? html` <span class="muted">stop requested ${fmtTime(run.stop_requested_at)}</span>` : ''}`],
    ['Started', fmtTime(run.started_at)],
    ['Finished', running ? html`<span class="muted">still running (heartbeat ${fmtTime(run.heartbeat_at)})</span>` : fmtTime(run.finished_at)],
    ['Duration', running ? '…' : fmtDuration(run.duration_ms)],
    ['Time reading / writing', `${fmtDuration(run.fetch_ms)} / ${fmtDuration(run.write_ms)}`],
    ['Attempts', fmtInt(run.attempts)],
    ['Window', run.window_since || run.window_until ? `[${run.window_since ?? '…'}, ${run.window_until ?? '…'})` : 'none (not a backfill)'],
    ['Cursor from', fmtCursor(run.cursor_from, 200)],
    ['Cursor to', fmtCursor(run.cursor_to, 200)],
    ['Where', `${run.host ?? '?'} pid ${run.pid ?? '?'}${run.worker_id ? `, worker ${run.worker_id}` : ''}`],
  ]
  const counts = html`<section class="cards">
${card('Fetched', fmtInt(run.fetched))}${card('Inserted', fmtInt(run.inserted))}${card('Updated', fmtInt(run.updated))}
${card('Unchanged', fmtInt(run.unchanged))}${card('Rejected', fmtInt(run.rejected), undefined, run.rejected ? 'warn' : '')}${card('Coerced', fmtInt(run.coerced), run.coerced ? 'stored with a field NULL that did not fit its column: see the rows\' _meta' : undefined, run.coerced ? 'warn' : '')}${card('Soft-deleted', fmtInt(run.deleted))}${card('Pages', fmtInt(run.pages))}
</section>`
  const pageChart = pages.length
    ? barChart({
        title: 'Time per page (ms): reading the source and writing the warehouse',
        labels: pages.map((p) => String(p.page_no)),
        series: [
          { name: 'read', values: pages.map((p) => p.fetch_ms) },
          { name: 'write', values: pages.map((p) => p.write_ms) },
        ],
        stacked: true,
        yLabel: 'ms',
      })
    : html``
  const lastPage = Math.max(1, Math.ceil(pages.length / BATCHES_SHOWN))
  const shownPage = Math.min(Math.max(1, batchPage), lastPage)
  const shown = pages.slice((shownPage - 1) * BATCHES_SHOWN, shownPage * BATCHES_SHOWN)
  const pageRows = shown.map(
    (p) => html`<tr><td class="num">${p.page_no}</td><td class="num">${fmtInt(p.fetched)}</td><td class="num">${fmtInt(p.inserted)}</td><td class="num">${fmtInt(p.updated)}</td>
<td class="num">${fmtInt(p.unchanged)}</td><td class="num">${fmtInt(p.rejected)}</td><td class="num">${fmtInt(p.coerced)}</td><td class="num">${fmtDuration(p.fetch_ms)}</td><td class="num">${fmtDuration(p.write_ms)}</td><td>${fmtTime(p.committed_at)}</td><td>${fmtCursor(p.cursor, 80)}</td></tr>`,
  )
  const rejectRows = rejects.map((r) => html`<tr><td><code>${r.record_key ?? '(no key)'}</code></td><td>${redactSecrets(r.reason)}</td><td>${fmtJson(r.raw, 160)}</td></tr>`)
  const automationRows = automation.map((a) => html`<tr><td>${fmtTime(a.at)}</td><td>${a.action}</td><td>${a.reason}</td><td>${a.outcome}</td></tr>`)
  const retryable = ['failed', 'partial', 'cancelled'].includes(run.status) && ['incremental', 'full', 'force'].includes(run.mode)
  const retry = retryable ? html` · <button type="button" class="small primary" data-action="retry-run" data-run="${run.id}" title="the same stream, read the same way">Retry</button>` : ''
  const body = html`<p><a href="/monitoring/runs">← run history</a>${running ? html` · <button type="button" class="small danger" data-action="stop" data-run="${run.id}">Stop</button>` : ''}${retry}</p>
${run.error ? html`<div class="error-box"><b>${run.error_code ?? 'error'}</b>: ${run.error}</div>` : ''}
${counts}
<section class="panel"><dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl></section>
<section id="batches"><h2>Pages${run.pages > pages.length ? html` <span class="muted">(the first ${fmtInt(pages.length)} of ${fmtInt(run.pages)})</span>` : ''}</h2>${pageChart}${table(['Page', 'Rows', 'Inserted', 'Updated', 'Unchanged', 'Rejected', 'Coerced', 'Read', 'Write', 'Committed', 'Cursor'], pageRows, running ? 'no page committed yet' : 'this run committed no page')}
${batchPager(run.id, shownPage, lastPage, shown, pages.length)}</section>
<section><h2>Rejected records ${run.rejected > rejects.length ? html`<span class="muted">(a sample: ${rejects.length} of ${fmtInt(run.rejected)})</span>` : ''}</h2>
${table(['Key', 'Reason', 'Record as received'], rejectRows, 'no record was rejected')}</section>
${logSection(run.id, log, running)}
<section><h2>Automation</h2>${table(['At', 'Action', 'Why', 'Outcome'], automationRows, 'the automation engine took no action about this run')}</section>`
  return { title: `Run #${run.id}: ${run.source}.${run.stream}`, body, running }
}

/** "pages 26–50 of 171 · ← previous · next →", when there is more than one page of batches. */
function batchPager(runId: number, page: number, last: number, shown: readonly { page_no: number }[], total: number): SafeHtml | '' {
  if (last === 1) return ''
  const link = (to: number, text: string) => html`<a href="/monitoring/runs/${runId}?batches=${to}#batches">${text}</a>`
  return html`<p class="pager muted">pages ${fmtInt(shown[0]?.page_no ?? 0)}–${fmtInt(shown.at(-1)?.page_no ?? 0)} of ${fmtInt(total)}${page > 1 ? html` · ${link(page - 1, '← previous')}` : ''}${page < last ? html` · ${link(page + 1, 'next →')}` : ''}</p>`
}

const LEVEL_TONE: Record<string, string> = { info: 'muted', warn: 'warn', error: 'bad', fatal: 'bad' }

/** The run's own log; a running run's grows as the run writes it (dashboard.js follows `data-after`). */
function logSection(runId: number, lines: readonly RunLogLine[], running: boolean): SafeHtml {
  const rows = lines.map((l) => logRow(l))
  const follow = running ? html` data-follow="${runId}" data-after="${lines.at(-1)?.seq ?? 0}"` : ''
  return html`<section id="log"><h2>Log <span class="muted">(info and above, as the run wrote it${running ? '; live' : ''})</span></h2>
<table class="log"${follow}><thead><tr><th>At</th><th>Level</th><th>Message</th><th>Details</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr class="empty"><td colspan="4">${running ? 'no line yet' : 'this run kept no log lines'}</td></tr>`}</tbody></table></section>`
}

export function logRow(l: RunLogLine): SafeHtml {
  return html`<tr class="level-${l.level}"><td>${fmtTime(l.at)}</td><td><span class="badge ${LEVEL_TONE[l.level] ?? ''}">${l.level}</span></td><td>${l.message}</td><td class="muted">${logFieldsText(l.fields)}</td></tr>`
}
