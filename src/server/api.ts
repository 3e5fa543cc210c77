import type { Context, Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import { redactSecrets } from '../redact.ts'
import { countRuns } from '../warehouse/sql/dashboard.ts'
import { listAuditEvents } from '../warehouse/sql/audit.ts'
import { listRejects, rejectStreams } from '../warehouse/sql/rejects.ts'
import { deleteSchedule, listSchedules, setSchedulePaused } from '../warehouse/sql/schedules.ts'
import { addSchedule } from '../worker/add-schedule.ts'
import { coerceError } from '../errors.ts'
import { getRun, listRuns, requestStop } from '../warehouse/sql/runs.ts'
import { listRunLogs } from '../warehouse/sql/run-logs.ts'
import { catalogOf, loadHealth, loadOverview, loadStreams } from './data.ts'
import type { AppDeps } from './deps.ts'
import { auditJson, logLineJson, pageJson, rejectJson, runJson, scheduleJson } from './json.ts'
import type { LiveHub } from './live-hub.ts'
import { loadRunDetail } from './pages/run-detail.ts'
import { ALERT_STATUSES } from './ports.ts'
import { SOURCE_NAMES } from '../connectors/registry.ts'
import { LAUNCH_MODES } from '../engine/strategy.ts'
import { nonEmpty, runFilter, runQuerySchema } from './run-filter.ts'
import { idParam, parseOr400 } from './validate.ts'

const scheduleBody = z
  .object({
    source: z.string().min(1),
    stream: z.string().min(1).optional(),
    every: z.string().min(1).optional(),
    cron: z.string().min(1).optional(),
    mode: z.enum(['incremental', 'full']).optional(),
  })
  .strict()

// at most 30 days: an alert silenced for longer should be fixed or its rule changed
const silenceBody = z.object({ minutes: z.number().int().min(1).max(30 * 24 * 60) }).strict()

const syncBody = z
  .object({
    source: z.string().min(1).max(100),
    streams: z.array(z.string().min(1).max(200)).max(200).optional(),
    mode: z.enum(LAUNCH_MODES).default('incremental'),
  })
  .strict()

// a reader following a run's log asks for the lines after the last it has
const logQuerySchema = z.object({ after: z.coerce.number().int().min(0).optional() }).strict()

const ackBody = z.object({ by: z.string().min(1).max(100).optional() }).strict()

const alertQuery = z
  .object({ status: z.string().optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) })
  .strict()
  .transform((q, ctx) => {
    const statuses = q.status === undefined || q.status === 'unresolved' ? ['open', 'acknowledged'] : q.status === 'all' ? [...ALERT_STATUSES] : q.status.split(',')
    const bad = statuses.filter((s) => !(ALERT_STATUSES as readonly string[]).includes(s))
    if (bad.length) ctx.addIssue({ code: 'custom', path: ['status'], message: `unknown status ${bad.join(', ')}; use open, acknowledged, resolved, unresolved or all` })
    return { statuses: statuses as (typeof ALERT_STATUSES)[number][], limit: q.limit }
  })

/** The request's JSON body; `{}` when it has none and none is required. */
async function jsonBody(c: Context, required: boolean): Promise<unknown> {
  const text = await c.req.text()
  if (!text.trim() && !required) return {}
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) throw new HTTPException(415, { message: 'send the body as JSON (Content-Type: application/json)' })
  try {
    return JSON.parse(text)
  } catch {
    throw new HTTPException(400, { message: 'the body is not valid JSON' })
  }
}

/** The JSON API under /api/: what the pages show, as data, plus the actions. */
export function registerApi(app: Hono, deps: AppDeps, live: LiveHub): void {
  app.get('/api/overview', async (c) => {
    const [overview, health, streams, alerts] = await Promise.all([loadOverview(deps), loadHealth(deps), loadStreams(deps), deps.alerts.list({ statuses: ['open'], limit: 1000 })])
    return c.json({ ...overview, openAlerts: alerts.length, staleStreams: streams.filter((s) => s.stale).map((s) => `${s.source}.${s.stream}`), health })
  })

  app.get('/api/sources', async (c) => c.json({ sources: await catalogOf(deps) }))

  app.get('/api/streams', async (c) => c.json({ streams: await loadStreams(deps) }))

  // a stream's rejected records (crmsync.rejects), newest first, and their retry through today's processors
  app.get('/api/streams/:source/:stream/rejects', async (c) => {
    const filter = { source: c.req.param('source'), stream: c.req.param('stream') }
    const [rejects, [group]] = await Promise.all([listRejects(deps.warehouse, { ...filter, limit: 50 }), rejectStreams(deps.warehouse, filter)])
    return c.json({ rejects: rejects.map(rejectJson), total: group?.rejects ?? 0 })
  })

  app.post('/api/streams/:source/:stream/rejects/retry', async (c) => {
    if (!deps.rejects) throw new HTTPException(503, { message: 'this server cannot retry rejects' })
    const source = c.req.param('source')
    if (!(deps.sources ?? SOURCE_NAMES).includes(source)) throw new HTTPException(404, { message: `there is no source ${JSON.stringify(source)}` })
    return c.json(await deps.rejects.retry(source, c.req.param('stream')))
  })

  app.get('/api/runs', async (c) => {
    const q = parseOr400(runQuerySchema, nonEmpty(c.req.query()), 'query')
    const filter = runFilter(q)
    const [runs, total] = await Promise.all([listRuns(deps.warehouse, filter), countRuns(deps.warehouse, filter)])
    return c.json({ runs: runs.map(runJson), total, limit: filter.limit, offset: filter.offset })
  })

  app.get('/api/runs/:id', async (c) => {
    const { run, pages, rejects, automation } = await loadRunDetail(deps, idParam(c.req.param('id'), 'run'))
    return c.json({ run: runJson(run), pages: pages.map(pageJson), rejects: rejects.map(rejectJson), automation })
  })

  // a run's log, from line `after` on: the run page follows a running run's log with it
  app.get('/api/runs/:id/logs', async (c) => {
    const id = idParam(c.req.param('id'), 'run')
    const { after } = parseOr400(logQuerySchema, nonEmpty(c.req.query()), 'query')
    const run = await getRun(deps.warehouse, id)
    if (!run) throw new HTTPException(404, { message: `there is no run ${id}` })
    const lines = await listRunLogs(deps.warehouse, id, after ?? 0)
    return c.json({ runId: id, status: run.status, lines: lines.map(logLineJson), next: lines.at(-1)?.seq ?? after ?? 0 })
  })

  app.post('/api/runs/:id/stop', async (c) => {
    const id = idParam(c.req.param('id'), 'run')
    const run = await getRun(deps.warehouse, id)
    if (!run) throw new HTTPException(404, { message: `there is no run ${id}` })
    if (run.status !== 'running') throw new HTTPException(409, { message: `run ${id} is not running: it ended ${run.status}` })
    if (await deps.launcher.stop(id))
      return c.json({ runId: id, stopping: true, via: 'in-process', message: `stopping run ${id}: the page in hand is committed, then the run ends cancelled` }, 202)
    // not started here: ask whichever process runs it; it sees the request at its next heartbeat
    const asked = await requestStop(deps.warehouse, id)
    if (!asked) throw new HTTPException(409, { message: `run ${id} is not running any more` })
    // a process that is gone sends no heartbeat: the sweep ends its run now (cancelled: it was asked to stop)
    const ended = (await deps.sweep?.(0))?.find((r) => r.runId === id)
    if (ended)
      return c.json({ runId: id, stopping: false, status: ended.status, via: 'sweep', message: `run ${id}'s process is gone; the run was ended ${ended.status}` }, 200)
    return c.json(
      {
        runId: id,
        stopping: true,
        via: 'stop-request',
        message: `run ${id} runs in another process (${run.host ?? '?'} pid ${run.pid ?? '?'}); it was asked to stop and will, at its next heartbeat, after the page in hand`,
      },
      202,
    )
  })

  // changes nothing: the access control in front of every POST has checked the token by now, so the
  // dashboard asks this when a token is entered, and a wrong one is refused there and then
  app.post('/api/token/check', (c) => c.json({ ok: true }))

  app.post('/api/sync', async (c) => {
    const body = parseOr400(syncBody, await jsonBody(c, true), 'body')
    const accepted = await deps.launcher.start({ source: body.source, streams: body.streams, mode: body.mode })
    return c.json(accepted, 202)
  })

  app.get('/api/alerts', async (c) => {
    const q = parseOr400(alertQuery, nonEmpty(c.req.query()), 'query')
    return c.json({ alerts: await deps.alerts.list(q) })
  })

  // retry a failed, partial or cancelled run: the same stream, read the same way (a full read again for a full or forced run)
  app.post('/api/runs/:id/retry', async (c) => {
    const id = idParam(c.req.param('id'), 'run')
    const run = await getRun(deps.warehouse, id)
    if (!run) throw new HTTPException(404, { message: `there is no run ${id}` })
    if (!['failed', 'partial', 'cancelled'].includes(run.status)) throw new HTTPException(409, { message: `run ${id} ${run.status === 'running' ? 'is still running' : `ended ${run.status}`}: only a failed, partial or cancelled run is retried` })
    if (run.mode !== 'incremental' && run.mode !== 'full' && run.mode !== 'force')
      throw new HTTPException(409, { message: `run ${id} was a ${run.mode} run; retry it from the command line (crmsync ${run.mode === 'backfill' ? 'sync --since … --until …' : run.mode} ${run.source} ${run.stream})` })
    const accepted = await deps.launcher.start({ source: run.source, streams: [run.stream], mode: run.mode === 'incremental' ? 'incremental' : 'full' })
    return c.json({ ...accepted, retryOf: id }, 202)
  })

  // the connector's own cheap check of credentials and reachability (crmsync check <source>)
  app.post('/api/sources/:source/check', async (c) => {
    if (!deps.checkSource) throw new HTTPException(503, { message: 'this server cannot check sources' })
    const source = c.req.param('source')
    if (!(deps.sources ?? SOURCE_NAMES).includes(source)) throw new HTTPException(404, { message: `there is no source ${JSON.stringify(source)}` })
    try {
      const detail = await deps.checkSource(source)
      return c.json({ source, ok: true, detail: detail ?? 'reachable' })
    } catch (error) {
      const failure = coerceError(error)
      return c.json({ source, ok: false, code: failure.code, message: redactSecrets(failure.message) })
    }
  })

  app.get('/api/schedules', async (c) => c.json({ schedules: (await listSchedules(deps.warehouse)).map(scheduleJson) }))

  app.post('/api/schedules', async (c) => {
    const body = parseOr400(scheduleBody, await jsonBody(c, true), 'body')
    const catalog = await deps.launcher.catalog?.().catch(() => undefined)
    const streams = catalog?.find((s) => s.source === body.source && s.configured)?.streams
    return c.json(scheduleJson(await addSchedule(deps.warehouse, body, streams)), 201)
  })

  for (const action of ['pause', 'resume'] as const)
    app.post(`/api/schedules/:id/${action}`, async (c) => {
      const id = idParam(c.req.param('id'), 'schedule')
      const schedule = await setSchedulePaused(deps.warehouse, id, action === 'pause')
      if (!schedule) throw new HTTPException(404, { message: `there is no schedule ${id}` })
      return c.json(scheduleJson(schedule))
    })

  app.delete('/api/schedules/:id', async (c) => {
    const id = idParam(c.req.param('id'), 'schedule')
    if (!(await deleteSchedule(deps.warehouse, id))) throw new HTTPException(404, { message: `there is no schedule ${id}` })
    return c.json({ id, removed: true })
  })

  app.post('/api/alerts/:id/silence', async (c) => {
    const id = idParam(c.req.param('id'), 'alert')
    const body = parseOr400(silenceBody, await jsonBody(c, true), 'body')
    const until = new Date(Date.now() + body.minutes * 60_000)
    if (!(await deps.alerts.silence?.(id, until))) throw new HTTPException(409, { message: `alert ${id} is not unresolved (unknown or resolved), or this server cannot silence alerts` })
    return c.json({ id, silencedUntil: until })
  })

  app.get('/api/audit', async (c) => c.json({ events: (await listAuditEvents(deps.warehouse, 200)).map(auditJson) }))

  app.post('/api/alerts/:id/acknowledge', async (c) => {
    const id = idParam(c.req.param('id'), 'alert')
    const body = parseOr400(ackBody, await jsonBody(c, false), 'body')
    if (!(await deps.alerts.acknowledge(id, body.by ?? 'dashboard'))) throw new HTTPException(409, { message: `alert ${id} is not open (unknown, already acknowledged or resolved)` })
    return c.json({ id, acknowledged: true })
  })

  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      let finish = () => {}
      const finished = new Promise<void>((resolve) => (finish = resolve))
      let id = 0
      await stream.writeSSE({ event: 'hello', data: JSON.stringify({ pollMs: deps.livePollMs ?? 2000 }), retry: 3000 })
      const off = live.subscribe((event, data) => {
        if (event === 'bye') return finish()
        // events are not buffered, so the response redactor never sees them: each one is redacted here
        stream.writeSSE({ event, data: redactSecrets(JSON.stringify(data)), id: String(++id) }).catch(finish)
      })
      if (live.closed) finish()
      stream.onAbort(finish)
      // a comment now and then keeps proxies from closing a quiet stream
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n').catch(finish), 15_000)
      await finished
      clearInterval(keepAlive)
      off()
    }),
  )
}
