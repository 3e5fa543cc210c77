import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import { makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { authed, createTestApp, waitFor } from '../helpers/server.ts'
import { createTestWarehouse, postgresUnavailable, type TestWarehouse } from '../helpers/warehouses.ts'

/**
 * The dashboard's actions through its API, each recorded in crmsync.audit_events with what it did,
 * on what, from where and how it ended: retry of a failed run, a connection test, a schedule
 * created, paused, resumed and removed, an alert silenced; and a refused request recorded too.
 */
describe.skipIf(postgresUnavailable())('dashboard actions and their audit trail', () => {
  let db: TestWarehouse
  let source: SalesProFixture
  let app: Hono
  const fake: FakeSourceControls = { rows: makeRows(12), pagesServed: 0 }
  const post = (path: string, body: unknown = {}, headers = authed()) => app.request(path, { method: 'POST', headers, body: JSON.stringify(body) })
  const q = async <T extends object>(sql: string, params: unknown[] = []) => (await db.warehouse.query<T>(sql, params)).rows
  const audit = async () => (await (await app.request('/api/audit', { headers: { host: 'localhost' } })).json()).events as { action: string; target: string; status: number; address: string; detail: unknown }[]

  beforeAll(async () => {
    ;[db, source] = await Promise.all([createTestWarehouse('postgres'), startSalesPro({ rows: 20, only: ['customer'] })])
    ;({ app } = createTestApp(db.warehouse, { salespro: source.emulator, fake }))
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })

  it('retries a failed run: the same stream, again; a running or succeeded run is refused', async () => {
    fake.beforePage = () => Promise.reject(new Error('the source fell over'))
    expect((await post('/api/sync', { source: 'fake' })).status).toBe(202)
    const failed = await waitFor(async () => (await q<{ id: number }>(`SELECT id FROM crmsync.sync_runs WHERE source = 'fake' AND status = 'failed'`))[0], 'the failed run')
    fake.beforePage = undefined
    const runPage = await (await app.request(`/monitoring/runs/${failed.id}`, { headers: { host: 'localhost' } })).text()
    expect(runPage).toContain(`data-action="retry-run" data-run="${failed.id}"`)
    const retried = await post(`/api/runs/${failed.id}/retry`)
    expect(retried.status).toBe(202)
    expect(await retried.json()).toMatchObject({ accepted: true, source: 'fake', streams: ['items'], retryOf: failed.id })
    const ok = await waitFor(async () => (await q<{ id: number }>(`SELECT id FROM crmsync.sync_runs WHERE source = 'fake' AND status = 'succeeded'`))[0], 'the retried run')
    expect((await post(`/api/runs/${ok.id}/retry`)).status).toBe(409)
    expect((await audit()).find((e) => e.action === `POST /api/runs/${failed.id}/retry`)).toMatchObject({ target: `run ${failed.id}`, status: 202, address: expect.any(String) })
  })

  it('tests a source connection with its connector: accepted, and refused credentials said as such', async () => {
    const streamsPage = await (await app.request('/monitoring/streams', { headers: { host: 'localhost' } })).text()
    expect(streamsPage).toContain('data-action="check" data-source="salespro"')
    const ok = await (await post('/api/sources/salespro/check')).json()
    expect(ok).toMatchObject({ source: 'salespro', ok: true, detail: expect.stringMatching(/Athena reachable/) })
    expect((await post('/api/sources/nosuch/check')).status).toBe(404)
    expect((await audit()).find((e) => e.action === 'POST /api/sources/salespro/check')).toMatchObject({ target: 'salespro', status: 200 })
  })

  it('creates, pauses, resumes and removes a schedule; a stream the source lacks is refused', async () => {
    const created = await post('/api/schedules', { source: 'salespro', stream: 'customer', every: '15m' })
    expect(created.status).toBe(201)
    const schedule = await created.json()
    expect(schedule).toMatchObject({ source: 'salespro', stream: 'customer', everySeconds: 900, paused: false })
    expect(await (await post(`/api/schedules/${schedule.id}/pause`)).json()).toMatchObject({ id: schedule.id, paused: true })
    expect((await q<{ paused: boolean }>(`SELECT paused FROM crmsync.schedules WHERE id = $1`, [schedule.id]))[0].paused).toBe(true)
    expect(await (await post(`/api/schedules/${schedule.id}/resume`)).json()).toMatchObject({ paused: false })
    const refused = await post('/api/schedules', { source: 'salespro', stream: 'nosuch', every: '15m' })
    expect(refused.status).toBe(400)
    expect((await refused.json()).error.message).toMatch(/salespro has no stream "nosuch"/)
    expect((await app.request(`/api/schedules/${schedule.id}`, { method: 'DELETE', headers: authed() })).status).toBe(200)
    expect(await q(`SELECT 1 FROM crmsync.schedules WHERE id = $1`, [schedule.id])).toHaveLength(0)
    const events = await audit()
    expect(events.find((e) => e.action === 'POST /api/schedules' && e.status === 201)).toMatchObject({ target: 'salespro.customer', detail: { source: 'salespro', stream: 'customer', every: '15m' } })
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining([`POST /api/schedules/${schedule.id}/pause`, `POST /api/schedules/${schedule.id}/resume`, `DELETE /api/schedules/${schedule.id}`]))
  })

  it('silences an alert for a period: no notification is claimed until then', async () => {
    const [alert] = await q<{ id: number }>(
      `INSERT INTO crmsync.alerts (rule, dedupe_key, source, stream, severity, title, message) VALUES ('stale_data', 'stale_data:x:y', 'x', 'y', 'warning', 't', 'm') RETURNING id`,
    )
    const response = await post(`/api/alerts/${alert.id}/silence`, { minutes: 60 })
    expect(response.status).toBe(200)
    const [row] = await q<{ until_minutes: number }>(`SELECT round(extract(epoch FROM silenced_until - now()) / 60)::int AS until_minutes FROM crmsync.alerts WHERE id = $1`, [alert.id])
    expect(row.until_minutes).toBeGreaterThanOrEqual(59)
    const alertsPage = await (await app.request('/monitoring/alerts', { headers: { host: 'localhost' } })).text()
    expect(alertsPage).toMatch(/silenced until/)
    const { claimNotification } = await import('../../src/warehouse/sql/alerts.ts')
    expect(await claimNotification(db.warehouse, alert.id, 0)).toBeUndefined()
    expect((await post(`/api/alerts/${alert.id}/silence`, { minutes: 0 })).status).toBe(400)
    const silenced = (await audit()).filter((e) => e.action === `POST /api/alerts/${alert.id}/silence`)
    expect(silenced.map((e) => [e.status, e.detail])).toEqual([[400, { minutes: 0 }], [200, { minutes: 60 }]])
  })

  it("pages a run's commit batches 25 at a time, the chart drawing them all", async () => {
    const [run] = await q<{ id: number }>(
      `INSERT INTO crmsync.sync_runs (source, stream, mode, status, pages, finished_at) VALUES ('fake', 'many', 'full', 'succeeded', 60, now()) RETURNING id`,
    )
    await q(
      `INSERT INTO crmsync.run_pages (run_id, page_no, fetched, inserted, updated, unchanged, rejected, coerced, deleted, fetch_ms, write_ms, cursor)
       SELECT $1, n, 100, 100, 0, 0, 0, 0, 0, 10, 20, jsonb_build_object('n', n::text) FROM generate_series(1, 60) n`,
      [run.id],
    )
    const page = async (query = '') => (await app.request(`/monitoring/runs/${run.id}${query}`, { headers: { host: 'localhost' } })).text()
    const rows = (html: string) => [...html.matchAll(/<tr><td class="num">(\d+)<\/td>/g)].map((m) => Number(m[1]))
    const first = await page()
    expect(rows(first)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
    expect(first).toContain('pages 1–25 of 60')
    expect(first).toContain(`href="/monitoring/runs/${run.id}?batches=2#batches"`)
    const third = await page('?batches=3')
    expect(rows(third)).toEqual(Array.from({ length: 10 }, (_, i) => i + 51))
    expect(third).toContain('pages 51–60 of 60')
    expect(third).not.toContain('next →')
    expect((await app.request(`/monitoring/runs/${run.id}?batches=x`, { headers: { host: 'localhost' } })).status).toBe(404)
  })

  it('records a refused request too: no token, no action, but a line in the audit', async () => {
    const refused = await post('/api/schedules', { source: 'salespro', every: '1h' }, { host: 'localhost', origin: 'http://localhost', 'content-type': 'application/json' } as never)
    expect(refused.status).toBe(401)
    expect((await audit()).find((e) => e.action === 'POST /api/schedules' && e.status === 401)).toBeDefined()
    // and the Audit page lists them
    const page = await (await app.request('/monitoring/audit', { headers: { host: 'localhost' } })).text()
    expect(page).toContain('POST /api/schedules')
  })
})
