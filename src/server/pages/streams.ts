import { catalogOf, loadStreams, SHAPE_CHANGE_DAYS, type StreamView } from '../data.ts'
import type { AppDeps } from '../deps.ts'
import { badge, fmtAgo, fmtDuration, fmtError, fmtInt, fmtCursor, fmtTime } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'
import { runLink, table } from './layout.ts'
import { streamHref } from './stream-detail.ts'

const syncButtons = (source: string, stream: string | null, runningRunId: number | null) => html`<div class="actions">
<button type="button" class="small primary" data-action="sync" data-source="${source}" data-stream="${stream ?? ''}" data-mode="incremental" title="from the stored cursor (a full pass the first time)">Sync now</button>
<button type="button" class="small" data-action="sync" data-source="${source}" data-stream="${stream ?? ''}" data-mode="full" title="re-read everything and merge; rows gone from the source are soft-deleted">Full</button>
${stream ? html`<button type="button" class="small danger" data-action="stop" data-run="${runningRunId ?? ''}" data-stop-for="${source}.${stream}"${runningRunId === null ? html` disabled` : ''}>Stop</button>` : html`<button type="button" class="small" data-action="check" data-source="${source}" title="one cheap request proving the credentials and reachability (crmsync check)">Test connection</button>`}
</div>`

/** A small mark on a stream whose table changed shape lately, linking to the changes. */
function shapeMark(s: StreamView): SafeHtml | '' {
  const recent = s.recentShapeChanges
  if (!recent) return ''
  const title = `${recent.count} column change${recent.count === 1 ? '' : 's'} in the last ${SHAPE_CHANGE_DAYS} days, the last ${new Date(recent.lastAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`
  return html` <a class="badge run" data-field="shape" href="${streamHref(s.source, s.stream)}#shape" title="${title}">shape changed</a>`
}

function streamRow(s: StreamView, actions: boolean): SafeHtml {
  const status = s.runningRunId !== null ? 'running' : s.lastStatus
  return html`<tr data-stream="${s.source}.${s.stream}">
<td><a href="${streamHref(s.source, s.stream)}"><b>${s.stream}</b></a>${s.stale ? html` <span class="badge warn" title="no successful run for longer than the source's expected interval">stale</span>` : ''}${shapeMark(s)}</td>
<td data-field="status">${status ? badge(status) : html`<span class="muted">never run</span>`}${s.lastError && status !== 'succeeded' && status !== 'running' ? html`<div>${fmtError(s.lastError, 80)}</div>` : ''}</td>
<td>${runLink(s.runningRunId ?? s.lastRunId)}<div class="muted small">${s.lastStartedAt ? fmtTime(s.lastStartedAt) : ''}</div></td>
<td class="num" data-field="rows">${s.rows === null ? html`<span class="muted">no table yet</span>` : fmtInt(s.rows)}</td>
<td class="num">${s.deletedRows ? fmtInt(s.deletedRows) : html`<span class="muted">0</span>`}</td>
<td>${s.fullPassInProgress ? html`<span class="muted">an unfinished full pass</span>` : fmtCursor(s.cursor, 60)}</td>
<td class="num">${fmtDuration(s.lastDurationMs)}</td>
<td>${fmtAgo(s.lastSuccessAt)}</td>
<td>${s.nextRunAt ? fmtTime(s.nextRunAt) : html`<span class="muted">not scheduled</span>`}</td>
${actions ? html`<td>${syncButtons(s.source, s.stream, s.runningRunId)}</td>` : ''}</tr>`
}

export async function streamsPage(deps: AppDeps): Promise<SafeHtml> {
  const [streams, catalog] = await Promise.all([loadStreams(deps), catalogOf(deps)])
  const actions = Boolean(deps.token)
  const sources = [...new Set([...catalog.map((c) => c.source), ...streams.map((s) => s.source)])].sort()
  if (!sources.length) return html`<p class="empty">no sources yet: configure one (see <code>crmsync --help</code>) and run <code>crmsync sync salespro</code>.</p>`
  const headers = ['Stream', 'Status', 'Last run', 'Rows', 'Deleted', 'Cursor (resumes from)', 'Took', 'Last success', 'Next run', ...(actions ? ['Actions'] : [])]
  const sections = sources.map((source) => {
    const mine = streams.filter((s) => s.source === source)
    const info = catalog.find((c) => c.source === source)
    const breaker = mine[0]?.breaker ?? null
    const problem = info && !info.configured ? html`<p class="small">not configured in this server: ${fmtError(info.problem, 300)}</p>` : ''
    const rowsTotal = mine.reduce((n, s) => n + (s.rows ?? 0), 0)
    return html`<section class="source" data-source="${source}">
<header class="source-head"><h2>${source}</h2>
<span class="muted">${fmtInt(mine.length)} streams · ${fmtInt(rowsTotal)} rows</span>
<span>circuit breaker ${breaker ? badge(breaker) : html`<span class="badge ok">closed</span>`}</span>
${actions && info?.configured ? syncButtons(source, null, null) : ''}</header>
${problem}
${table(headers, mine.map((s) => streamRow(s, actions)), html`no stream of ${source} has run yet: start one with <b>Sync now</b> or <code>crmsync sync ${source}</code>`)}
</section>`
  })
  const hint = actions ? '' : html`<p class="muted">Read-only: set <code>CRMSYNC_DASHBOARD_TOKEN</code> and restart <code>crmsync serve</code> to start and stop syncs here.</p>`
  return html`${hint}${sections}`
}
