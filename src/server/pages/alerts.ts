import type { AppDeps } from '../deps.ts'
import { redactSecrets } from '../../log.ts'
import { badge, fmtAgo, fmtTime } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'
import type { AlertView } from '../ports.ts'
import { table } from './layout.ts'

const HEADERS = ['Severity', 'Alert', 'Stream', 'Rule', 'Value', 'Opened', 'Last seen', 'Status']

function alertRow(a: AlertView, actions: boolean): SafeHtml {
  const status =
    a.status === 'acknowledged'
      ? html`${badge(a.status)}<div class="muted small">by ${a.acknowledgedBy ?? '?'} ${fmtAgo(a.acknowledgedAt)}</div>`
      : a.status === 'resolved'
        ? html`${badge(a.status)}<div class="muted small">${fmtTime(a.resolvedAt)}</div>`
        : badge(a.status)
  const silenced = a.silencedUntil && new Date(a.silencedUntil).getTime() > Date.now() ? html`<div class="muted small">silenced until ${fmtTime(a.silencedUntil)}</div>` : ''
  const value = a.value === null ? '' : `${+a.value.toFixed(3)}${a.threshold === null ? '' : ` (threshold ${+a.threshold.toFixed(3)})`}`
  return html`<tr data-alert-id="${a.id}">
<td>${badge(a.severity)}</td><td><b>${a.title}</b><div class="small muted">${redactSecrets(a.message)}</div></td>
<td>${a.source ?? ''}${a.stream ? `.${a.stream}` : ''}</td><td><code>${a.rule}</code></td><td class="num">${value}</td>
<td>${fmtTime(a.openedAt)}</td><td>${fmtAgo(a.lastSeenAt)}</td><td>${status}${silenced}</td>
${actions ? html`<td>${a.status === 'open' ? html`<button type="button" class="small" data-action="ack" data-alert="${a.id}">Acknowledge</button>` : ''}${a.status !== 'resolved' ? html` <button type="button" class="small" data-action="silence" data-alert="${a.id}" data-minutes="60" title="no notification for an hour; it stays open and still resolves">Silence 1 h</button>` : ''}</td>` : ''}</tr>`
}

export async function alertsPage(deps: AppDeps): Promise<SafeHtml> {
  const actions = Boolean(deps.token)
  const [unresolved, resolved] = await Promise.all([
    deps.alerts.list({ statuses: ['open', 'acknowledged'], limit: 200 }),
    deps.alerts.list({ statuses: ['resolved'], limit: 50 }),
  ])
  const headers = actions ? [...HEADERS, ''] : HEADERS
  return html`<section><h2>Open and acknowledged <span class="muted">(${unresolved.length})</span></h2>
<p class="muted small">Acknowledging stops the reminders; the alert still resolves by itself once the rule no longer fires.</p>
${table(headers, unresolved.map((a) => alertRow(a, actions)), 'no open alerts: the alert rules watch every run (success rate, failures in a row, stale data, slow pages, fields nulled, schema changes, the pool) and open one when something needs you')}
</section>
<section><h2>Resolved <span class="muted">(latest ${resolved.length})</span></h2>
${table(headers, resolved.map((a) => alertRow(a, false)), 'no resolved alerts yet')}
</section>`
}
