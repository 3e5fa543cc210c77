import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { release, type CliContext } from '../../src/cli/context.ts'
import { createOutput } from '../../src/cli/output.ts'
import { serveCommand } from '../../src/cli/commands/serve.ts'
import { loadConfig } from '../../src/config.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { exitCodeFor, SyncError } from '../../src/errors.ts'
import { redactSecrets, silentLogger } from '../../src/log.ts'
import { checkBind, startServer } from '../../src/server/start-server.ts'
import { getRun } from '../../src/warehouse/sql/runs.ts'
import { makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { authed, createTestApp, TEST_TOKEN, testTargets, waitFor, type TestApp } from '../helpers/server.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

/** The actions (start, stop, acknowledge) and who may take them; the serve command's bind rules. */
describe.each(WAREHOUSE_KINDS)('dashboard actions and security on %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let t: TestApp
  let release1: () => void = () => {}
  const fake: FakeSourceControls = { rows: makeRows(40), pagesServed: 0 }
  const post = (path: string, body: unknown, headers: Record<string, string> = authed()) =>
    t.app.request(path, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const status = async (runId: number) => (await getRun(db.warehouse, runId))?.status

  beforeAll(async () => {
    if (reason) return
    db = await createTestWarehouse(kind)
    t = createTestApp(db.warehouse, { fake, batchSize: 10 })
  })
  afterAll(async () => {
    release1()
    await t?.launcher.close?.()
    await db?.drop()
  })

  it.skipIf(!!reason)(`a POST without the token is 401, with a wrong token 403, cross-origin with the right token 403 ${reason ?? ''}`, async () => {
    const body = { source: 'fake' }
    const none = await post('/api/sync', body, { host: 'localhost', origin: 'http://localhost', 'content-type': 'application/json' })
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toContain('Bearer')
    expect((await none.json()).error.message).toMatch(/needs the dashboard token/)
    expect((await post('/api/sync', body, authed({ 'x-crmsync-token': 'not-the-token-at-all' }))).status).toBe(403)
    expect((await post('/api/sync', body, { ...authed(), 'x-crmsync-token': '', authorization: 'Bearer wrong-wrong-wrong-wrong' })).status).toBe(403)
    for (const foreign of [{ origin: 'http://evil.example' }, { origin: 'null' }, { origin: 'http://localhost:9999' }, { origin: undefined, referer: 'http://evil.example/page' }, { 'sec-fetch-site': 'cross-site' }]) {
      const headers = Object.fromEntries(Object.entries({ ...authed(), ...foreign }).filter(([, v]) => v !== undefined)) as Record<string, string>
      const response = await post('/api/sync', body, headers)
      expect([JSON.stringify(foreign), response.status]).toEqual([JSON.stringify(foreign), 403])
      expect((await response.json()).error.message).toMatch(/cross-origin/)
    }
    for (const path of ['/api/runs/1/stop', '/api/alerts/1/acknowledge']) {
      expect((await post(path, {}, { host: 'localhost', 'content-type': 'application/json' })).status).toBe(401)
      expect((await post(path, {}, authed({ origin: 'http://evil.example' }))).status).toBe(403)
    }
    expect((await db.warehouse.query(`SELECT 1 FROM crmsync.sync_runs`)).rows).toHaveLength(0)
  })

  it.skipIf(!!reason)('bad requests are 400 with a message; a body that is not JSON 415', async () => {
    const cases: [unknown, RegExp][] = [
      [{ source: 'nosuch' }, /unknown source "nosuch"/],
      [{ source: 'fake', streams: ['nope'] }, /fake has no stream "nope"; its streams are items/],
      [{ source: 'fake', mode: 'force' }, /mode/],
      [{ source: 'fake', extra: 1 }, /extra/],
      [{}, /source/],
    ]
    for (const [body, message] of cases) {
      const response = await post('/api/sync', body)
      expect([JSON.stringify(body), response.status]).toEqual([JSON.stringify(body), 400])
      expect((await response.json()).error.message).toMatch(message)
    }
    expect((await t.app.request('/api/sync', { method: 'POST', headers: authed(), body: '{nope' })).status).toBe(400)
    expect((await t.app.request('/api/sync', { method: 'POST', headers: authed({ 'content-type': 'text/plain' }), body: '{}' })).status).toBe(415)
    expect((await t.app.request('/api/sync', { method: 'POST', headers: authed(), body: JSON.stringify({ source: 'x'.repeat(70_000) }) })).status).toBe(413)
  })

  it.skipIf(!!reason)('a sync starts from the API and runs in the background; the same stream again is 409; Stop ends it cancelled after the page in hand', async () => {
    let gate!: Promise<void>
    gate = new Promise((resolve) => (release1 = resolve))
    fake.beforePage = async (pageNo) => {
      if (pageNo === 2) await gate
    }
    const started = await post('/api/sync', { source: 'fake', streams: ['items'], mode: 'full' })
    expect(started.status).toBe(202)
    expect(await started.json()).toEqual({ accepted: true, via: 'in-process', source: 'fake', streams: ['items'], mode: 'full' })
    const run = await waitFor(async () => (await db.warehouse.query<{ id: number }>(`SELECT id FROM crmsync.sync_runs WHERE status = 'running' AND pages >= 1`)).rows[0], 'the first page')
    const again = await post('/api/sync', { source: 'fake' })
    expect(again.status).toBe(409)
    expect((await again.json()).error.message).toMatch(/already running: fake.items \(run \d+/)
    const stop = await post(`/api/runs/${run.id}/stop`, undefined, authed({ 'content-type': '' }))
    expect(stop.status).toBe(202)
    expect(await stop.json()).toMatchObject({ runId: run.id, stopping: true, via: 'in-process' })
    release1()
    await waitFor(async () => (await status(run.id)) === 'cancelled', 'the run to end cancelled')
    const ended = await getRun(db.warehouse, run.id)
    expect(ended?.pages).toBeGreaterThanOrEqual(1)
    expect(ended?.error).toMatch(/stopped on request after committing page/)
    fake.beforePage = undefined
    expect((await post(`/api/runs/${run.id}/stop`, {})).status).toBe(409)
    expect((await post('/api/runs/987654/stop', {})).status).toBe(404)
  })

  it.skipIf(!!reason)('a run of another process is busy (409) and is stopped through a stop request it sees at its heartbeat', async () => {
    const { rows } = await db.warehouse.query<{ id: number }>(
      `INSERT INTO crmsync.sync_runs (source, stream, mode, trigger, host, pid) VALUES ('fake', 'items', 'incremental', 'worker', 'elsewhere', 4242) RETURNING id`,
    )
    const foreign = rows[0].id
    const busy = await post('/api/sync', { source: 'fake' })
    expect(busy.status).toBe(409)
    expect((await busy.json()).error.message).toContain(`run ${foreign}, elsewhere pid 4242`)
    const stop = await post(`/api/runs/${foreign}/stop`, {})
    expect(stop.status).toBe(202)
    const answer = await stop.json()
    expect(answer).toMatchObject({ via: 'stop-request' })
    expect(answer.message).toMatch(/runs in another process \(elsewhere pid 4242\)/)
    expect((await getRun(db.warehouse, foreign))?.stop_requested_at).toBeInstanceOf(Date)
    await db.warehouse.query(`UPDATE crmsync.sync_runs SET status = 'cancelled', finished_at = now() WHERE id = $1`, [foreign])
  })

  it.skipIf(!!reason)('without a configured token the dashboard is read-only and says how to enable actions', async () => {
    const readOnly = createTestApp(db.warehouse, { fake }, { token: undefined })
    const response = await readOnly.app.request('/api/sync', { method: 'POST', headers: authed(), body: JSON.stringify({ source: 'fake' }) })
    expect(response.status).toBe(403)
    expect((await response.json()).error.message).toContain('CRMSYNC_DASHBOARD_TOKEN')
    const page = await (await readOnly.app.request('/monitoring/streams', { headers: { host: 'localhost' } })).text()
    expect(page).toContain('read-only')
    expect(page).not.toContain('data-action="sync"')
    // every answer passes the redactor: "needs a token: set …" came out as "needs a token: [redacted] …"
    for (const path of ['/monitoring/', '/monitoring/streams', '/monitoring/schedules']) {
      const text = await (await readOnly.app.request(path, { headers: { host: 'localhost' } })).text()
      expect(text, path).toContain('CRMSYNC_DASHBOARD_TOKEN')
      expect(text, path).not.toContain('[redacted]')
    }
  })

  it.skipIf(!!reason)('on loopback, a Host that is not a loopback name is refused (DNS rebinding)', async () => {
    expect((await t.app.request('/monitoring/', { headers: { host: 'localhost:8000' } })).status).toBe(200)
    expect((await t.app.request('/api/runs', { headers: { host: '127.0.0.1:8000' } })).status).toBe(200)
    const rebound = await t.app.request('/api/runs', { headers: { host: 'evil.example:8000' } })
    expect(rebound.status).toBe(403)
    expect((await rebound.json()).error.message).toMatch(/DNS rebinding/)
  })

  it.skipIf(!!reason)('on a network bind, reading needs the token too: header, or ?token= once, which sets an HttpOnly SameSite=Strict cookie', async () => {
    const network = createTestApp(db.warehouse, { fake }, { exposure: 'network' })
    const get = (path: string, headers: Record<string, string> = {}) => network.app.request(path, { headers: { host: 'crm.example:8000', ...headers } })
    const denied = await get('/monitoring/')
    expect(denied.status).toBe(401)
    // it says how to give the token, unmangled by the redactor every answer passes
    const deniedText = await denied.text()
    expect(deniedText).toContain('?token=')
    expect(deniedText).not.toContain('[redacted]')
    expect((await get('/api/runs')).status).toBe(401)
    expect((await get('/metrics')).status).toBe(401)
    expect((await get('/healthz')).status).toBe(200)
    expect((await get('/monitoring/?token=wrong-wrong-wrong-wrong')).status).toBe(403)
    const login = await get('/monitoring/runs?status=failed&token=' + TEST_TOKEN)
    expect(login.status).toBe(303)
    expect(login.headers.get('location')).toBe('/monitoring/runs?status=failed')
    const cookie = login.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Strict/i)
    const session = cookie.split(';')[0]
    expect((await get('/monitoring/', { cookie: session })).status).toBe(200)
    expect((await get('/api/runs', { authorization: `Bearer ${TEST_TOKEN}` })).status).toBe(200)
    // the cookie never authorizes a change: only the header does
    const viaCookie = await network.app.request('/api/sync', { method: 'POST', headers: { host: 'crm.example:8000', origin: 'http://crm.example:8000', cookie: session, 'content-type': 'application/json' }, body: '{"source":"fake"}' })
    expect(viaCookie.status).toBe(401)
  })

  it.skipIf(!!reason)('binding to a non-loopback address without a token refuses to start (exit 2), before opening the warehouse', async () => {
    expect(() => checkBind('0.0.0.0', undefined)).toThrow(/refusing to listen on 0.0.0.0 without a token/)
    // the CLI prints it through the redactor, which must find no secret in it
    const refusal = (() => {
      try {
        checkBind('0.0.0.0', undefined)
      } catch (error) {
        return (error as Error).message
      }
    })() as string
    expect(redactSecrets(refusal)).toBe(refusal)
    expect(() => checkBind('0.0.0.0', 'short')).toThrow(/at least 16 characters/)
    expect(() => checkBind('127.0.0.1', undefined)).not.toThrow()
    const { loadTarget } = testTargets({ fake })
    await expect(startServer({ warehouse: db.warehouse, events: createEngineEvents(), log: silentLogger(), host: '0.0.0.0', port: 0, loadTarget })).rejects.toThrow(SyncError)
    const ctx = fakeCli({}, async () => {
      throw new Error('the warehouse must not be opened')
    })
    const refused = await serveCommand(ctx, ['--host', '0.0.0.0', '--port', '0']).catch((e) => e)
    expect(refused).toBeInstanceOf(SyncError)
    expect(exitCodeFor(refused)).toBe(2)
    expect(refused.message).toContain('CRMSYNC_DASHBOARD_TOKEN')
  })

  it.skipIf(!!reason)('`crmsync serve --port 0 --json` prints its URL first, serves, and stops on the signal', async () => {
    const writes: string[] = []
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (writes.push(String(chunk)), true))
    const controller = new AbortController()
    const ctx = fakeCli({ CRMSYNC_DASHBOARD_TOKEN: TEST_TOKEN }, async () => db.warehouse, controller.signal)
    const serving = serveCommand(ctx, ['--port', '0', '--json'])
    try {
      const line = await waitFor(() => writes.find((w) => w.startsWith('{"url"')), 'the url line')
      spy.mockRestore()
      const { url } = JSON.parse(line)
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/monitoring\/$/)
      const page = await fetch(url)
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('<h1>Overview</h1>')
      // a live stream left open must not hold the shutdown
      const events = await fetch(new URL('/api/events', url))
      expect(events.headers.get('content-type')).toContain('text/event-stream')
      const denied = await fetch(new URL('/api/sync', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"source":"fake"}' })
      expect(denied.status).toBe(401)
      controller.abort()
      expect(await serving).toBe(0)
      await release(ctx)
      await expect(fetch(url)).rejects.toThrow()
    } finally {
      spy.mockRestore()
    }
  })

  function fakeCli(env: Record<string, string>, warehouse: CliContext['warehouse'], signal = new AbortController().signal): CliContext {
    const home = mkdtempSync(join(tmpdir(), 'crmsync-serve-'))
    return {
      config: loadConfig({ CRMSYNC_HOME: home, CRMSYNC_CONFIG: join(home, 'none.json'), ...env }),
      log: silentLogger(),
      out: createOutput(true),
      events: createEngineEvents(),
      signal,
      warehouse,
      releasers: [],
      retry: () => undefined,
    }
  }
})
