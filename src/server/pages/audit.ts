import { listAuditEvents } from '../../warehouse/sql/audit.ts'
import type { AppDeps } from '../deps.ts'
import { fmtJson, fmtTime } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'
import { table } from './layout.ts'

const SHOWN = 200

/** Every state-changing request to the API, refused ones too, newest first (crmsync.audit_events). */
export async function auditPage(deps: AppDeps): Promise<SafeHtml> {
  const events = await listAuditEvents(deps.warehouse, SHOWN)
  const rows = events.map(
    (e) => html`<tr data-audit-id="${e.id}"><td>${fmtTime(e.at)}</td><td><code>${e.action}</code></td><td>${e.target}</td>
<td><span class="badge ${e.status < 300 ? 'ok' : e.status === 401 || e.status === 403 ? 'bad' : 'warn'}">${e.status}</span></td><td><code>${e.address}</code></td><td>${fmtJson(e.detail, 120)}</td></tr>`,
  )
  return html`<p class="muted small">Every action taken through this dashboard or its API — and every refused attempt — with when, what, on what, from which address and how it ended (the HTTP status). The newest ${SHOWN}; all of them are in <code>crmsync.audit_events</code>.</p>
${table(['When', 'Action', 'On', 'Outcome', 'From', 'Sent'], rows, 'no action has been taken through the dashboard yet')}`
}
