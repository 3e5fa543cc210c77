import type { DbRunningRun } from '../../warehouse/sql/dashboard.ts'
import { fmtDuration, fmtInt } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'
import { runLink, table } from './layout.ts'

/**
 * The "running now" table. The script keeps it live from /api/events and builds its rows with the
 * same cells (`data-field`), so the server's first render and the live updates look the same.
 */
export const RUNNING_HEADERS = ['Run', 'Stream', 'Mode', 'Trigger', 'Rows', 'Rows/s', 'Pages', 'Elapsed', 'Where', '']

export const rowsPerSecond = (fetched: number, elapsedMs: number) => (elapsedMs > 0 ? fetched / (elapsedMs / 1000) : 0)

export function runningRow(r: DbRunningRun): SafeHtml {
  return html`<tr data-run-id="${r.id}" data-elapsed="${Math.round(r.elapsed_ms)}">
<td>${runLink(r.id)}</td><td data-field="stream">${r.source}.${r.stream}</td><td data-field="mode">${r.mode}</td><td data-field="trigger">${r.trigger}</td>
<td data-field="fetched" class="num">${fmtInt(r.fetched)}</td><td data-field="rate" class="num">${fmtInt(rowsPerSecond(r.fetched, r.elapsed_ms))}</td>
<td data-field="pages" class="num">${fmtInt(r.pages)}</td><td data-field="elapsed" class="num">${fmtDuration(r.elapsed_ms)}</td>
<td data-field="where" class="muted">${r.host ?? '?'} pid ${r.pid ?? '?'}</td>
<td><button type="button" class="small danger" data-action="stop" data-run="${r.id}">${r.stop_requested ? 'Stopping…' : 'Stop'}</button></td></tr>`
}

export const runningTable = (runs: DbRunningRun[]) =>
  table(
    RUNNING_HEADERS,
    runs.map(runningRow),
    html`nothing is running: start a sync below, on <a href="/monitoring/streams">Sources &amp; streams</a>, or with <code>crmsync sync salespro</code>`,
    { id: 'running', cls: 'live-runs' },
  )
