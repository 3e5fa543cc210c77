import { html, type SafeHtml } from '../html.ts'

export const NAV = [
  ['overview', '/monitoring/', 'Overview'],
  ['streams', '/monitoring/streams', 'Sources & streams'],
  ['schedules', '/monitoring/schedules', 'Schedules'],
  ['runs', '/monitoring/runs', 'Run history'],
  ['timeline', '/monitoring/timeline', 'Timeline'],
  ['charts', '/monitoring/charts', 'Charts'],
  ['alerts', '/monitoring/alerts', 'Alerts'],
  ['data', '/monitoring/data', 'Data'],
  ['audit', '/monitoring/audit', 'Audit'],
] as const

export type NavKey = (typeof NAV)[number][0]

/** the pages that show a time range: moving between them keeps the range chosen on one */
const RANGED: ReadonlySet<NavKey> = new Set<NavKey>(['runs', 'timeline', 'charts'])

export interface PageOptions {
  title: string
  active: NavKey | null
  body: SafeHtml
  /** false: the server has no token, so the page is read-only and says why */
  actions: boolean
  /** where the warehouse is, for the footer */
  warehouse: string
  /** a run id whose end reloads the page (the run detail of a running run) */
  reloadOnEnd?: number
  /** the time range this page shows, as a query string (`?range=7d`), carried by the links to the other ranged pages */
  range?: string
}

/**
 * The page shell: navigation, the token box, the live indicator and the flash area. The token is
 * never part of the page: the user pastes it once and the script keeps it in sessionStorage.
 */
export function layout(options: PageOptions): string {
  const tokenBox = options.actions
    ? html`<form id="token-form" class="token" autocomplete="off">
  <label for="token-input">Token</label>
  <input id="token-input" name="token" type="password" placeholder="CRMSYNC_DASHBOARD_TOKEN" spellcheck="false">
  <button type="submit">Unlock actions</button>
</form>
<span id="token-state" class="token" hidden>actions unlocked <button id="token-lock" type="button" class="link">lock</button></span>`
    : html`<span class="token muted" title="set CRMSYNC_DASHBOARD_TOKEN and restart crmsync serve to enable Sync now, Stop and Acknowledge">read-only: no token configured</span>`
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · crmsync</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/monitoring/assets/dashboard.css">
<script src="/monitoring/assets/dashboard.js" defer></script>
</head>
<body data-actions="${options.actions ? 'enabled' : 'disabled'}" data-reload-on-end="${options.reloadOnEnd ?? ''}">
<header class="top">
  <a class="brand" href="/monitoring/">crmsync <span>monitoring</span></a>
  <nav>${NAV.map(([key, href, label]) => html`<a href="${href}${RANGED.has(key) ? (options.range ?? '') : ''}"${key === options.active ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
  <div class="right"><span id="live" class="live" title="live updates (server-sent events)">offline</span>${tokenBox}</div>
</header>
<div id="flash" role="status" aria-live="polite"></div>
<main>
<h1>${options.title}</h1>
${options.body}
</main>
<footer>warehouse: ${options.warehouse} · all times UTC · rendered ${new Date().toISOString().slice(0, 19).replace('T', ' ')}</footer>
</body>
</html>`
  return page.__html
}

/** A table, or the empty-state sentence when there are no rows. */
export function table(headers: (string | SafeHtml)[], rows: SafeHtml[], empty: SafeHtml | string, options: { id?: string; cls?: string } = {}): SafeHtml {
  return html`<div class="table-wrap"><table${options.id ? html` id="${options.id}"` : ''} class="${options.cls ?? ''}">
<thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead>
<tbody>${rows.length ? rows : html`<tr class="empty"><td colspan="${headers.length}">${empty}</td></tr>`}</tbody>
</table></div>`
}

/** A figure card: a label and a big number. */
export const card = (label: string, value: SafeHtml | string, note?: SafeHtml | string, tone = '') =>
  html`<div class="card ${tone}"><div class="label">${label}</div><div class="value">${value}</div>${note ? html`<div class="note">${note}</div>` : ''}</div>`

export const runLink = (id: number | null | undefined) => (id === null || id === undefined ? html`<span class="muted">–</span>` : html`<a href="/monitoring/runs/${id}">#${id}</a>`)
