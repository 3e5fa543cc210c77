import { HTTPException } from 'hono/http-exception'
import { z } from 'zod'
import { listColumns, previewRows } from '../../warehouse/sql/dashboard.ts'
import { browsableSchemas, loadTables } from '../data.ts'
import type { AppDeps } from '../deps.ts'
import { fmtInt } from '../format.ts'
import { html, queryString, type SafeHtml } from '../html.ts'
import { table } from './layout.ts'

export const previewQuerySchema = z
  .object({
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    limit: z.coerce.number().int().refine((n) => [10, 25, 50, 100].includes(n), 'must be 10, 25, 50 or 100').default(25),
  })
  .strict()

export async function dataPage(deps: AppDeps): Promise<SafeHtml> {
  const tables = await loadTables(deps)
  const schemas = [...new Set(tables.map((t) => t.schema))]
  if (!schemas.length) return html`<p class="empty">no source tables yet: run a sync (<b>Sync now</b>, or <code>crmsync sync salespro</code>) and its tables appear here.</p>`
  return html`${schemas.map((schema) => {
    const mine = tables.filter((t) => t.schema === schema)
    const rows = mine.map(
      (t) => html`<tr><td><a href="/monitoring/data/${encodeURIComponent(t.schema)}/${encodeURIComponent(t.table)}">${t.table}</a></td><td class="num">${fmtInt(t.rows)}</td><td class="num">${t.deletedRows === null ? '' : fmtInt(t.deletedRows)}</td><td class="num">${fmtInt(t.columns)}</td></tr>`,
    )
    return html`<section><h2>${schema} <span class="muted">(${fmtInt(mine.reduce((n, t) => n + t.rows, 0))} rows)</span></h2>${table(['Table', 'Rows', 'Soft-deleted', 'Columns'], rows, '')}</section>`
  })}`
}

const cell = (value: unknown) => {
  if (value === null || value === undefined) return html`<span class="null">NULL</span>`
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > 120 ? html`<span title="${text.slice(0, 2000)}">${text.slice(0, 120)}…</span>` : text
}

/** A paged preview of one table of a source schema; anything else is a 404, never a query. */
export async function tablePage(deps: AppDeps, schema: string, name: string, q: z.infer<typeof previewQuerySchema>): Promise<{ title: string; body: SafeHtml }> {
  if (!(await browsableSchemas(deps)).includes(schema)) throw new HTTPException(404, { message: `${schema} is not a source schema` })
  const [info] = await loadTables(deps, { schema, table: name })
  if (!info) throw new HTTPException(404, { message: `there is no table ${schema}.${name}` })
  const columns = await listColumns(deps.warehouse, schema, name)
  const key = columns.filter((c) => c.primary_key).map((c) => c.name)
  const offset = (q.page - 1) * q.limit
  const rows = await previewRows(deps.warehouse, schema, name, key.length ? key : columns.slice(0, 1).map((c) => c.name), q.limit, offset)
  const total = info.rows + (info.deletedRows ?? 0)
  const link = (page: number, label: string) => html`<a class="button small" href="/monitoring/data/${encodeURIComponent(schema)}/${encodeURIComponent(name)}${queryString({ page, limit: q.limit === 25 ? undefined : q.limit })}">${label}</a>`
  const headers = columns.map((c) => html`<span title="${c.type}">${c.name}${c.primary_key ? html` <span class="key" title="primary key">PK</span>` : ''}</span>`)
  const body = html`<p><a href="/monitoring/data">← all tables</a> · ${fmtInt(info.rows)} live rows${info.deletedRows ? `, ${fmtInt(info.deletedRows)} soft-deleted` : ''} · ordered by ${key.length ? key.join(', ') : columns[0]?.name ?? '–'}</p>
<p class="muted" id="preview-range">${rows.length ? `rows ${fmtInt(offset + 1)}–${fmtInt(offset + rows.length)} of ${fmtInt(total)}` : ''}</p>
${table(headers, rows.map((r) => html`<tr>${columns.map((c) => html`<td>${cell(r[c.name])}</td>`)}</tr>`), offset ? 'no rows on this page' : 'this table is empty', { cls: 'preview' })}
<nav class="pager">${q.page > 1 ? link(q.page - 1, '← previous') : ''} ${offset + rows.length < total ? link(q.page + 1, 'next →') : ''}</nav>`
  return { title: `${schema}.${name}`, body }
}
