import { HTTPException } from 'hono/http-exception'
import { countVersions } from '../../warehouse/history.ts'
import { listRejects, rejectStreams, type DbReject } from '../../warehouse/sql/rejects.ts'
import { listRuns } from '../../warehouse/sql/runs.ts'
import { listRecentSchemaChanges, listStoredColumns, type SchemaChangeKind } from '../../warehouse/sql/stream-columns.ts'
import { changeView, columnView, isMetaColumn } from '../../warehouse/stream-schema.ts'
import { loadStreams } from '../data.ts'
import type { AppDeps } from '../deps.ts'
import { badge, fmtAgo, fmtError, fmtInt, fmtCursor, fmtTime } from '../format.ts'
import { html, queryString, type SafeHtml } from '../html.ts'
import { card, runLink, table } from './layout.ts'
import { runsTable } from './runs.ts'
import { trendsSection } from './stream-trends.ts'
import { rangeParams, type RangeQuery } from '../time-range.ts'

/** shape changes listed on the page, newest first; `crmsync schema` lists them all */
export const CHANGES_SHOWN = 10
const RUNS_SHOWN = 10
/** rejected records listed on the page, newest first; `crmsync rejects list` lists them all */
export const REJECTS_SHOWN = 10

const CHANGE_WORDS: Record<SchemaChangeKind, string> = { added: 'added', widened: 'widened', dropped_at_source: 'dropped at the source' }

/** The page of one stream, linked from the streams list. */
export const streamHref = (source: string, stream: string) => `/monitoring/streams/${encodeURIComponent(source)}/${encodeURIComponent(stream)}`

/**
 * One stream: where it stands, how its table's shape changed (docs/design.md §3.12), its columns and
 * its latest runs. A stream with neither history nor a table is a 404. The names are only ever
 * query parameters, and everything read back is escaped by `html`.
 */
export async function streamDetailPage(deps: AppDeps, source: string, stream: string, q: RangeQuery = {}): Promise<{ title: string; body: SafeHtml }> {
  const [views, stored, recent, runs, rejects, [rejectCount], versions, trends] = await Promise.all([
    loadStreams(deps),
    listStoredColumns(deps.warehouse, source, stream),
    listRecentSchemaChanges(deps.warehouse, source, stream, CHANGES_SHOWN),
    listRuns(deps.warehouse, { source, stream, limit: RUNS_SHOWN }),
    listRejects(deps.warehouse, { source, stream, limit: REJECTS_SHOWN }),
    rejectStreams(deps.warehouse, { source, stream }),
    countVersions(deps.warehouse, { schema: source, table: stream }),
    trendsSection(deps, source, stream, q, streamHref(source, stream)),
  ])
  const view = views.find((v) => v.source === source && v.stream === stream)
  if (!view && stored.length === 0) throw new HTTPException(404, { message: `there is no stream ${source}.${stream}` })
  const total = recent[0]?.total ?? 0
  const status = view?.runningRunId != null ? 'running' : (view?.lastStatus ?? null)
  const cards = html`<section class="cards">
${card('Status', status ? badge(status) : html`<span class="muted">never run</span>`, view?.lastError && status !== 'succeeded' && status !== 'running' ? fmtError(view.lastError, 120) : undefined)}
${card('Rows', view?.rows == null ? html`<span class="muted">no table yet</span>` : fmtInt(view.rows), view?.deletedRows ? `${fmtInt(view.deletedRows)} soft-deleted` : undefined)}
${card('Last success', fmtAgo(view?.lastSuccessAt ?? null))}
${versions === undefined ? '' : card('Versions', fmtInt(versions), html`history mode: <code>${source}.${stream}__history</code>`)}
${card('Shape changes', fmtInt(total), view?.recentShapeChanges ? `${fmtInt(view.recentShapeChanges.count)} in the last 7 days` : undefined, view?.recentShapeChanges ? 'run' : '')}
</section>`
  const facts = html`<section class="panel"><dl class="facts">
<dt>Last run</dt><dd>${runLink(view?.runningRunId ?? view?.lastRunId)}</dd>
<dt>Cursor (resumes from)</dt><dd>${view?.fullPassInProgress ? html`<span class="muted">an unfinished full pass</span>` : fmtCursor(view?.cursor, 200)}</dd>
<dt>Next run</dt><dd>${view?.nextRunAt ? fmtTime(view.nextRunAt) : html`<span class="muted">not scheduled</span>`}</dd>
<dt>Table</dt><dd>${stored.length ? html`<a href="/monitoring/data/${encodeURIComponent(source)}/${encodeURIComponent(stream)}">${source}.${stream}</a>` : html`<span class="muted">not created yet: its first sync creates it</span>`}</dd>
</dl></section>`
  const changeRows = recent.map(changeView).map(
    (c) => html`<tr data-change-id="${c.id}"><td>${fmtTime(c.createdAt)}</td><td><code>${c.column}</code></td><td>${CHANGE_WORDS[c.change] ?? c.change}</td>
<td>${c.fromType ?? html`<span class="muted">–</span>`} → ${c.toType ?? html`<span class="muted">–</span>`}</td><td>${runLink(c.runId)}</td></tr>`,
  )
  const shown = total > recent.length ? html` <span class="muted">(the newest ${fmtInt(recent.length)} of ${fmtInt(total)})</span>` : total ? html` <span class="muted">(${fmtInt(total)})</span>` : ''
  const columns = stored.filter((c) => !isMetaColumn(c.column_name)).map(columnView)
  const columnRows = columns.map(
    (c) => html`<tr><td><code>${c.name}</code></td><td>${c.type}</td><td>${c.origin}</td><td>${c.appearedAt ? fmtTime(c.appearedAt) : html`<span class="muted">–</span>`}</td>
<td>${c.droppedAt ? fmtTime(c.droppedAt) : ''}</td></tr>`,
  )
  const body = html`<p><a href="/monitoring/streams">← sources and streams</a></p>
${cards}
${facts}
${trends}
<section id="shape"><h2>Shape changes${shown}</h2>
<p class="muted small">The table follows its source's shape: new fields become columns, changed types widen them, and a field the source drops keeps its column. <code>crmsync schema ${source} ${stream}</code> lists every change.</p>
${table(['When', 'Column', 'Change', 'From → to', 'Run'], changeRows, 'no change of this table\'s shape has been recorded')}</section>
<section><h2>Columns <span class="muted">(${fmtInt(columns.length)}, besides crmsync's own _raw, _hash, _synced_at, _run_id, _deleted_at, _meta)</span></h2>
${table(['Column', 'Type', 'Type from', 'Appeared', 'Dropped at the source'], columnRows, 'the table does not exist yet')}</section>
${rejectsSection(source, stream, rejects, rejectCount?.rejects ?? 0)}
<section><h2>Latest runs</h2>${runsTable(runs)}<p><a href="/monitoring/runs${queryString({ source, stream, ...rangeParams(q) })}">All runs of ${source}.${stream} →</a></p></section>`
  return { title: `${source}.${stream}`, body }
}

/** The stream's rejected records and the token-gated "Retry rejects" (`crmsync rejects retry`). */
function rejectsSection(source: string, stream: string, rejects: readonly DbReject[], total: number): SafeHtml {
  const rows = rejects.map(
    (r) => html`<tr data-reject-id="${r.id}"><td>${fmtTime(r.created_at)}</td><td>${runLink(r.run_id === null ? null : Number(r.run_id))}</td><td><code>${r.record_key ?? '(no key)'}</code></td><td>${fmtError(r.reason, 160)}</td></tr>`,
  )
  const shown = total > rejects.length ? html` <span class="muted">(the newest ${fmtInt(rejects.length)} of ${fmtInt(total)})</span>` : total ? html` <span class="muted">(${fmtInt(total)})</span>` : ''
  return html`<section id="rejects"><h2>Rejected records${shown}</h2>
<p class="muted small">Records crmsync could not store, kept with the record as received and why. Retrying runs them through today's processors with no call to the source: those that now pass are stored (never over a newer version) and leave this list; the rest stay with today's reason. <code>crmsync rejects list ${source} ${stream}</code> lists them all.</p>
<p><button type="button" class="small" data-action="retry-rejects" data-source="${source}" data-stream="${stream}"${total === 0 ? html` disabled` : ''}>Retry rejects</button></p>
${table(['When', 'Run', 'Key', 'Reason'], rows, 'no rejected records')}</section>`
}
