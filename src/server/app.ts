import { readFileSync } from 'node:fs'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { isSyncError } from '../errors.ts'
import { redactSecrets } from '../log.ts'
import { registerApi } from './api.ts'
import { loadHealth } from './data.ts'
import type { AppDeps } from './deps.ts'
import { html, type SafeHtml } from './html.ts'
import { createLiveHub } from './live-hub.ts'
import { alertsPage } from './pages/alerts.ts'
import { chartsPage } from './pages/charts.ts'
import { dataPage, previewQuerySchema, tablePage } from './pages/data.ts'
import { layout, type NavKey } from './pages/layout.ts'
import { overviewPage } from './pages/overview.ts'
import { sharedResult } from './shared-result.ts'
import { runDetailPage } from './pages/run-detail.ts'
import { runsPage } from './pages/runs.ts'
import { streamDetailPage } from './pages/stream-detail.ts'
import { streamsPage } from './pages/streams.ts'
import { auditPage } from './pages/audit.ts'
import { schedulesPage } from './pages/schedules.ts'
import { timelinePage } from './pages/timeline.ts'
import { rangeQuerySchema, rangeQueryString } from './time-range.ts'
import { nonEmpty, runQuerySchema } from './run-filter.ts'
import { redactResponses } from './redact-responses.ts'
import { accessControl, securityHeaders } from './security.ts'
import { idParam, parseOr400 } from './validate.ts'
import { auditTrail } from './audit.ts'

export type { AppDeps } from './deps.ts'

// read once: one small stylesheet and one small script, served by the app itself (no CDN, no build).
// A Map, because the name comes from the URL: on a plain object `constructor` or `__proto__` would be found.
const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8')
const ASSETS = new Map<string, { type: string; body: string }>([
  ['dashboard.css', { type: 'text/css; charset=utf-8', body: asset('dashboard.css') }],
  ['dashboard.js', { type: 'text/javascript; charset=utf-8', body: asset('dashboard.js') }],
])

const SYNC_ERROR_STATUS = new Map<string, ContentfulStatusCode>([['config_invalid', 400], ['busy', 409], ['warehouse_failed', 503]])

/**
 * The monitoring server: pages under /monitoring/, the JSON API under /api/, /metrics and
 * /healthz. Built from its dependencies only, so tests drive it with `app.request()`.
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono()
  const live = deps.live ?? createLiveHub({ warehouse: deps.warehouse, events: deps.events, log: deps.log, pollMs: deps.livePollMs })
  const isApi = (c: Context) => /^\/(api\/|metrics$|healthz$)/.test(c.req.path)

  // outermost, so error pages and 404s are redacted too
  app.use('*', redactResponses())
  app.use('*', securityHeaders())
  // before the access control, so its refusals are recorded too
  app.use('*', auditTrail(deps.warehouse, deps.log))
  app.use('*', accessControl({ token: deps.token, exposure: deps.exposure ?? 'loopback' }))
  app.use('/api/*', bodyLimit({ maxSize: 64 * 1024, onError: () => { throw new HTTPException(413, { message: 'the body is larger than 64 KiB' }) } }))

  app.onError((error, c) => {
    const status: ContentfulStatusCode =
      error instanceof HTTPException ? (error.status as ContentfulStatusCode) : isSyncError(error) ? (SYNC_ERROR_STATUS.get(error.code) ?? 500) : 500
    const message = status === 500 ? 'internal error: see the server log' : redactSecrets(error.message)
    if (status >= 500) deps.log.error({ err: error, path: c.req.path }, `dashboard: ${redactSecrets(error.message)}`)
    if (status === 401) c.header('WWW-Authenticate', 'Bearer realm="crmsync"')
    if (isApi(c)) return c.json({ error: { status, message } }, status)
    return c.html(errorPage(deps, status, message), status)
  })
  app.notFound((c) => {
    const message = `nothing at ${c.req.path}`
    return isApi(c) ? c.json({ error: { status: 404, message } }, 404) : c.html(errorPage(deps, 404, message), 404)
  })

  app.get('/', (c) => c.redirect('/monitoring/', 302))
  app.get('/monitoring', (c) => c.redirect('/monitoring/', 301))
  app.get('/monitoring/assets/:name', (c) => {
    const found = ASSETS.get(c.req.param('name'))
    if (!found) throw new HTTPException(404, { message: 'no such asset' })
    return c.body(found.body, 200, { 'Content-Type': found.type, 'Cache-Control': 'no-cache' })
  })

  const page = (c: Context, title: string, active: NavKey | null, body: SafeHtml, extra: { reloadOnEnd?: number; range?: string } = {}) =>
    c.html(layout({ title, active, body, actions: Boolean(deps.token), warehouse: deps.warehouse.location, ...extra }))
  // the shared time range of the runs, timeline, charts and stream pages: a bad one is a 400 naming it
  const rangeOf = (c: Context) => parseOr400(rangeQuerySchema, nonEmpty(c.req.query()), 'time range')

  // the page every operator keeps open: the viewers who ask while it is being rendered share that
  // rendering (50 viewers drove the pool to exhaustion); one who asks after it gets a new one
  const overview = sharedResult(() => overviewPage(deps), 0)
  app.get('/monitoring/', async (c) => page(c, 'Overview', 'overview', await overview.get()))
  app.get('/monitoring/streams', async (c) => page(c, 'Sources and streams', 'streams', await streamsPage(deps)))
  app.get('/monitoring/streams/:source/:stream', async (c) => {
    const range = rangeOf(c)
    const detail = await streamDetailPage(deps, c.req.param('source'), c.req.param('stream'), range)
    return page(c, detail.title, 'streams', detail.body, { range: rangeQueryString(range) })
  })
  app.get('/monitoring/schedules', async (c) => page(c, 'Schedules', 'schedules', await schedulesPage(deps)))
  app.get('/monitoring/runs', async (c) => {
    const q = parseOr400(runQuerySchema, nonEmpty(c.req.query()), 'filter')
    return page(c, 'Run history', 'runs', await runsPage(deps, q), { range: rangeQueryString(q) })
  })
  app.get('/monitoring/timeline', async (c) => {
    const range = rangeOf(c)
    return page(c, 'Timeline', 'timeline', await timelinePage(deps, range), { range: rangeQueryString(range) })
  })
  app.get('/monitoring/runs/:id', async (c) => {
    const batches = c.req.query('batches')
    const detail = await runDetailPage(deps, idParam(c.req.param('id'), 'run'), batches === undefined ? 1 : idParam(batches, 'page of batches'))
    return page(c, detail.title, 'runs', detail.body, { reloadOnEnd: detail.running ? idParam(c.req.param('id'), 'run') : undefined })
  })
  app.get('/monitoring/charts', async (c) => {
    const range = rangeOf(c)
    return page(c, 'Charts', 'charts', await chartsPage(deps, range), { range: rangeQueryString(range) })
  })
  app.get('/monitoring/alerts', async (c) => page(c, 'Alerts', 'alerts', await alertsPage(deps)))
  app.get('/monitoring/audit', async (c) => page(c, 'Audit', 'audit', await auditPage(deps)))
  app.get('/monitoring/data', async (c) => page(c, 'Data browser', 'data', await dataPage(deps)))
  app.get('/monitoring/data/:schema/:table', async (c) => {
    const q = parseOr400(previewQuerySchema, nonEmpty(c.req.query()), 'query')
    const preview = await tablePage(deps, c.req.param('schema'), c.req.param('table'), q)
    return page(c, preview.title, 'data', preview.body)
  })

  registerApi(app, deps, live)

  app.get('/metrics', async (c) => {
    const { contentType, body } = await deps.metrics.render()
    return c.body(body, 200, { 'Content-Type': contentType })
  })
  app.get('/healthz', async (c) => {
    const health = await loadHealth(deps)
    const ok = health.warehouse.reachable
    return c.json({ ok, warehouse: { reachable: ok, latencyMs: health.warehouse.latencyMs, pool: health.warehouse.pool } }, ok ? 200 : 503)
  })
  return app
}

function errorPage(deps: AppDeps, status: number, message: string): string {
  const hint = status === 401 || status === 403 ? html`<p class="muted">The dashboard token is the value of <code>CRMSYNC_DASHBOARD_TOKEN</code> on the server.</p>` : ''
  return layout({ title: `${status}`, active: null, body: html`<div class="error-box">${message}</div>${hint}<p><a href="/monitoring/">Back to the overview</a></p>`, actions: Boolean(deps.token), warehouse: deps.warehouse.location })
}
