import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import { validateExposition } from '../../src/ops/metrics/validate-exposition.ts'
import { silentLogger } from '../../src/log.ts'
import { countTableRows } from '../../src/warehouse/sql/overview.ts'
import { ensureStreamTable } from '../../src/warehouse/stream-table.ts'
import { createFakeStream, makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { authed, createTestApp, TEST_TOKEN, waitFor } from '../helpers/server.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

/**
 * Route tests of every page and API of the dashboard, with `app.request()`, over a warehouse
 * filled by real syncs: the SalesPro emulator (with malformed rows, so a run has rejects) and the
 * in-memory fake source (whose rows carry markup, to prove it renders inert).
 */
describe.each(WAREHOUSE_KINDS)('dashboard routes on %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let source: SalesProFixture
  let app: Hono
  const fake: FakeSourceControls = { rows: makeRows(30), pagesServed: 0 }
  const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers: { host: 'localhost', ...headers } })
  const text = async (path: string) => {
    const response = await get(path)
    expect(response.status, `${path}: ${response.status}`).toBe(200)
    return response.text()
  }
  const runIds = async (status: string) =>
    (await db.warehouse.query<{ id: number }>(`SELECT id FROM crmsync.sync_runs WHERE status = $1 ORDER BY id`, [status])).rows.map((r) => r.id)

  beforeAll(async () => {
    if (reason) return
    ;[db, source] = await Promise.all([createTestWarehouse(kind), startSalesPro({ rows: 300, seed: 11, malformed: 3, only: ['customer', 'estimate'] })])
    fake.rows.set('r00031', { id: 'r00031', updated_at: '2024-01-02T00:00:00.000000Z', name: '<script>alert("owned")</script>', amount: '1.00' })
    // a value that does not fit its column: the record is stored with that field NULL (coerced)
    fake.inject = (row) => (row.id === 'r00005' ? { values: { parent: null, ...row, amount: 'twelve' }, raw: { ...row } } : undefined)
    // and a field the stream does not declare: the table (there before the source grew the field) gains a
    // column, a recorded shape change (a table's first sync would take it as its first shape instead)
    const declared = createFakeStream(fake, { name: 'items' })
    await ensureStreamTable(db.warehouse, { schema: 'fake', table: 'items', columns: declared.columns, primaryKey: declared.primaryKey }, silentLogger())
    fake.schema = { fields: [{ name: 'region', type: 'text' }], complete: false }
    for (const row of fake.rows.values()) row.extra = { region: 'west' }
    await source.sync(db.warehouse, ['customer', 'estimate'], { batchSize: 60 })
    ;({ app } = createTestApp(db.warehouse, { salespro: source.emulator, fake, batchSize: 10 }))
    // the fake source's sync, started through the API as a user would
    const response = await app.request('/api/sync', { method: 'POST', headers: authed(), body: JSON.stringify({ source: 'fake' }) })
    expect(response.status).toBe(202)
    await waitFor(async () => (await db.warehouse.query(`SELECT 1 FROM crmsync.sync_runs WHERE source = 'fake' AND status <> 'running'`)).rows.length, 'the fake sync')
    await db.warehouse.query(
      `INSERT INTO crmsync.alerts (rule, dedupe_key, source, stream, severity, title, message, value, threshold)
       VALUES ('consecutive_failures', 'consecutive_failures:salespro:customer', 'salespro', 'customer', 'error', '3 failed runs in a row', 'the last error: <b>boom</b>', 3, 3),
              ('stale_data', 'stale_data:salespro:estimate', 'salespro', 'estimate', 'warning', 'estimate is stale', 'no success for 2 days', 48, 24)`,
    )
    await db.warehouse.query(`UPDATE crmsync.alerts SET status = 'resolved', resolved_at = now() WHERE rule = 'stale_data'`)
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })

  it.skipIf(!!reason)(`/ redirects to /monitoring/, which lists every synced stream with its row count ${reason ?? ''}`, async () => {
    const root = await get('/')
    expect(root.status).toBe(302)
    expect(root.headers.get('location')).toBe('/monitoring/')
    const page = await text('/monitoring/')
    for (const [schema, table] of [['salespro', 'customer'], ['salespro', 'estimate'], ['fake', 'items']]) {
      const rows = (await countTableRows(db.warehouse, schema, table))?.live as number
      expect(rows).toBeGreaterThan(0)
      expect(page).toMatch(new RegExp(`data-stream="${schema}.${table}">.*?</tr>`, 's'))
      const row = page.match(new RegExp(`data-stream="${schema}.${table}">(.*?)</tr>`, 's'))?.[1] ?? ''
      expect(row).toContain(`>${rows.toLocaleString('en-US')}<`)
    }
    expect(page).toContain('Success rate, 24 h')
    expect(page).toContain('id="sync-form"')
    expect(page).toContain('no workers running')
    expect(page).toContain('3 failed runs in a row')
  })

  it.skipIf(!!reason)('the streams page shows each stream: last run, status, rows, cursor, breaker, and the actions', async () => {
    const page = await text('/monitoring/streams')
    const customer = page.match(/<tr data-stream="salespro.customer">(.*?)<\/tr>/s)?.[1] ?? ''
    const rows = (await countTableRows(db.warehouse, 'salespro', 'customer'))?.live as number
    expect(customer).toContain(rows.toLocaleString('en-US'))
    expect(customer).toContain('badge warn">partial')
    expect(customer).toContain('data-action="sync"')
    expect(customer).toContain('{&quot;ts&quot;:')
    expect(customer).not.toContain('stale')
    expect(page).toContain('circuit breaker')
    expect(page).toContain('not scheduled')
  })

  it.skipIf(!!reason)('the run history filters by source, stream, status and time, and pages', async () => {
    const all = await text('/monitoring/runs')
    expect(all).toMatch(/runs 1–3 of 3/)
    const partial = await text('/monitoring/runs?status=partial')
    expect(partial).toContain('runs 1–2 of 2')
    expect(partial).toContain('salespro.customer')
    expect(partial).not.toContain('fake.items')
    expect(await text('/monitoring/runs?source=fake')).toContain('fake.items')
    expect(await text('/monitoring/runs?source=fake')).not.toContain('salespro.customer')
    expect(await text('/monitoring/runs?stream=estimate&source=&status=')).toContain('runs 1–1 of 1')
    const second = await text('/monitoring/runs?limit=1&page=2')
    expect(second).toContain('runs 2–2 of 3')
    expect(second).toContain('← newer')
    expect(second).toContain('older →')
    expect(await text('/monitoring/runs?range=1h')).toContain('of 3')
    expect(await text(`/monitoring/runs?since=${new Date(Date.now() + 3_600_000).toISOString()}`)).toContain('no run matches these filters')
    const bad = await get('/monitoring/runs?status=exploded')
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('status')
  })

  it.skipIf(!!reason)('a run page shows its window, counts, page times and a sample of rejected rows with reasons', async () => {
    const [id] = await runIds('partial')
    const page = await text(`/monitoring/runs/${id}`)
    expect(page).toContain('Rejected records')
    expect(page).toMatch(/<h2>Pages<\/h2><figure class="chart">/)
    const { rows } = await db.warehouse.query<{ reason: string }>(`SELECT reason FROM crmsync.rejects WHERE run_id = $1`, [id])
    expect(rows.length).toBeGreaterThan(0)
    expect(page).toContain(rows[0].reason.replaceAll('"', '&quot;').replaceAll("'", '&#39;').slice(0, 30))
    expect((await get('/monitoring/runs/999999')).status).toBe(404)
    expect((await get('/monitoring/runs/abc')).status).toBe(404)
  })

  it.skipIf(!!reason)(`a run page and /api/runs/:id/logs show the run's own log; ?after= gives the lines after it ${reason ?? ''}`, async () => {
    const [id] = await runIds('partial')
    const page = await text(`/monitoring/runs/${id}`)
    expect(page).toMatch(/<section id="log"><h2>Log /)
    expect(page).toMatch(/<tr class="level-info"><td><time [^>]+>[^<]+<\/time><\/td><td><span class="badge muted">info<\/span><\/td><td>sync started: /)
    expect(page).toMatch(/<td>sync partial in [\d.]+ s: \d+ fetched/)
    expect(page).not.toContain('data-follow=')
    const log = await (await get(`/api/runs/${id}/logs`)).json()
    expect(log).toMatchObject({ runId: id, status: 'partial', next: log.lines.length })
    expect(log.lines[0]).toMatchObject({ seq: 1, level: 'info', message: expect.stringMatching(/^sync started/) })
    const after = await (await get(`/api/runs/${id}/logs?after=1`)).json()
    expect(after.lines.map((l: { seq: number }) => l.seq)).toEqual(log.lines.slice(1).map((l: { seq: number }) => l.seq))
    expect((await get(`/api/runs/${id}/logs?after=-1`)).status).toBe(400)
    expect((await get(`/api/runs/${id}/logs?from=1`)).status).toBe(400)
    expect((await get('/api/runs/999999/logs')).status).toBe(404)
  })

  it.skipIf(!!reason)('coerced records show beside rejected ones: run history, run page cards and pages, the overview and the API', async () => {
    const [fakeRun] = (await db.warehouse.query<{ id: number }>(`SELECT id FROM crmsync.sync_runs WHERE source = 'fake'`)).rows
    const history = await text('/monitoring/runs?source=fake')
    expect(history).toContain('<th>Coerced</th>')
    expect(history).toMatch(new RegExp(`data-run-id="${fakeRun.id}".*?data-field="coerced">1<`, 's'))
    const detail = await text(`/monitoring/runs/${fakeRun.id}`)
    expect(detail).toMatch(/<div class="card warn"><div class="label">Coerced<\/div><div class="value">1<\/div>/)
    expect(detail).toContain('_meta')
    expect(detail).toMatch(/<th>Rejected<\/th><th>Coerced<\/th>/)
    expect(await text('/monitoring/')).toMatch(/rejected, 1 coerced/)
    const api = await (await get(`/api/runs/${fakeRun.id}`)).json()
    expect(api.run).toMatchObject({ rejected: 0, coerced: 1 })
    expect(api.pages.reduce((n: number, p: { coerced: number }) => n + p.coerced, 0)).toBe(1)
    expect((await (await get('/api/runs?source=fake')).json()).runs[0]).toMatchObject({ coerced: 1 })
    expect((await (await get('/api/overview')).json()).last24h.coerced).toBe(1)
  })

  it.skipIf(!!reason)('the streams list marks a stream whose table changed shape in the last 7 days and links each stream to its page', async () => {
    const page = await text('/monitoring/streams')
    const items = page.match(/<tr data-stream="fake.items">(.*?)<\/tr>/s)?.[1] ?? ''
    expect(items).toContain('<a href="/monitoring/streams/fake/items"><b>items</b></a>')
    expect(items).toMatch(/<a class="badge run" data-field="shape" href="\/monitoring\/streams\/fake\/items#shape" title="1 column change in the last 7 days, the last [\d-]+ [\d:]+ UTC">shape changed<\/a>/)
    // a change older than a week is history, not news
    await db.warehouse.query(`UPDATE crmsync.schema_changes SET created_at = created_at - interval '8 days' WHERE source = 'fake'`)
    expect((await text('/monitoring/streams')).match(/<tr data-stream="fake.items">(.*?)<\/tr>/s)?.[1]).not.toContain('shape changed')
    await db.warehouse.query(`UPDATE crmsync.schema_changes SET created_at = created_at + interval '8 days' WHERE source = 'fake'`)
    expect((await (await get('/api/streams')).json()).streams.find((s: { stream: string }) => s.stream === 'items').recentShapeChanges).toMatchObject({ count: 1 })
  })

  it.skipIf(!!reason)('a stream\'s page lists its recorded shape changes, newest first, a few with their count, escaped', async () => {
    const [fakeRun] = (await db.warehouse.query<{ id: number }>(`SELECT id FROM crmsync.sync_runs WHERE source = 'fake'`)).rows
    const page = await text('/monitoring/streams/fake/items')
    expect(page).toContain('<h1>fake.items</h1>')
    const shape = page.match(/<section id="shape">(.*?)<\/section>/s)?.[1] ?? ''
    expect(shape).toMatch(new RegExp(`<td><code>region</code></td><td>added</td>\\s*<td><span class="muted">–</span> → text</td><td><a href="/monitoring/runs/${fakeRun.id}">#${fakeRun.id}</a></td>`))
    expect(shape).toContain('crmsync schema fake items')
    // its columns, with where their types came from
    expect(page).toMatch(/<td><code>region<\/code><\/td><td>text<\/td><td>source<\/td>/)
    expect(page).toMatch(/<td><code>amount<\/code><\/td><td>numeric\(12,2\)<\/td><td>declared<\/td>/)
    expect(page).not.toContain('<td><code>_raw</code>')

    // twelve more changes (one of them named with markup): the newest ten are listed, newest first, with the count
    for (let i = 1; i <= 12; i++)
      await db.warehouse.query(
        `INSERT INTO crmsync.schema_changes (source, stream, column_name, change, from_type, to_type, run_id) VALUES ('fake', 'items', $1, 'widened', $2, 'text', $3)`,
        [i === 12 ? '<img src=x onerror=alert(1)>' : `col_${i}`, i === 12 ? '<b>integer</b>' : 'integer', fakeRun.id],
      )
    const many = (await text('/monitoring/streams/fake/items')).match(/<section id="shape">(.*?)<\/section>/s)?.[1] ?? ''
    expect(many).toContain('(the newest 10 of 13)')
    expect(many.match(/<tr data-change-id=/g)).toHaveLength(10)
    const columns = [...many.matchAll(/<td><code>(.*?)<\/code><\/td>/g)].map((m) => m[1])
    expect(columns).toEqual(['&lt;img src=x onerror=alert(1)&gt;', ...Array.from({ length: 9 }, (_, i) => `col_${11 - i}`)])
    expect(many).toContain('&lt;b&gt;integer&lt;/b&gt; → text')
    expect(many).not.toMatch(/<img src=x|<b>integer/)
    await db.warehouse.query(`DELETE FROM crmsync.schema_changes WHERE source = 'fake' AND column_name <> 'region'`)

    expect((await get('/monitoring/streams/fake/nope')).status).toBe(404)
    expect((await get('/monitoring/streams/nope/items')).status).toBe(404)
    // a stream that ran is there even with no change recorded
    expect(await text('/monitoring/streams/salespro/estimate')).toContain('<h1>salespro.estimate</h1>')
  })

  it.skipIf(!!reason)('the charts page draws SVG charts with axes from the run history', async () => {
    const page = await text('/monitoring/charts')
    expect(page.match(/<svg /g)?.length).toBeGreaterThanOrEqual(5)
    expect(page).toContain('Run duration')
    expect(page).toContain('Records read per day by source')
    expect(page).toContain('Success rate per day')
    expect(page).toContain('Error kinds')
    expect(page).toContain('rejected_records')
    expect(page).not.toMatch(/style=/)
  })

  it.skipIf(!!reason)('the alerts page lists open and resolved alerts; the API lists them and acknowledges', async () => {
    const page = await text('/monitoring/alerts')
    expect(page).toContain('3 failed runs in a row')
    expect(page).toContain('the last error: &lt;b&gt;boom&lt;/b&gt;')
    expect(page).toContain('estimate is stale')
    expect(page).toContain('data-action="ack"')
    const open = await (await get('/api/alerts')).json()
    expect(open.alerts.map((a: { title: string }) => a.title)).toEqual(['3 failed runs in a row'])
    const all = await (await get('/api/alerts?status=all')).json()
    expect(all.alerts).toHaveLength(2)
    expect((await get('/api/alerts?status=weird')).status).toBe(400)
    const id = open.alerts[0].id
    const ack = await app.request(`/api/alerts/${id}/acknowledge`, { method: 'POST', headers: authed(), body: JSON.stringify({ by: 'ops' }) })
    expect(ack.status).toBe(200)
    const after = await (await get('/api/alerts?status=acknowledged')).json()
    expect(after.alerts[0]).toMatchObject({ id, status: 'acknowledged', acknowledgedBy: 'ops' })
    // acknowledging again changes nothing; a resolved alert cannot be acknowledged
    expect((await app.request(`/api/alerts/${id}/acknowledge`, { method: 'POST', headers: authed() })).status).toBe(200)
    const resolved = all.alerts.find((a: { status: string }) => a.status === 'resolved')
    expect((await app.request(`/api/alerts/${resolved.id}/acknowledge`, { method: 'POST', headers: authed() })).status).toBe(409)
  })

  it.skipIf(!!reason)('the data browser lists source tables with counts and previews one, paged; nothing else', async () => {
    const page = await text('/monitoring/data')
    expect(page).toContain('/monitoring/data/salespro/customer')
    expect(page).toContain('/monitoring/data/fake/items')
    expect(page).not.toContain('/monitoring/data/crmsync/')
    const preview = await text('/monitoring/data/salespro/customer?limit=10&page=2')
    expect(preview).toMatch(/rows 11–20 of [\d,]+/)
    expect(preview).toContain('← previous')
    expect((await get('/monitoring/data/crmsync/credentials')).status).toBe(404)
    expect((await get('/monitoring/data/salespro/nope')).status).toBe(404)
    expect((await get('/monitoring/data/salespro/customer?limit=7')).status).toBe(400)
    expect((await get('/monitoring/data/pg_catalog/pg_authid')).status).toBe(404)
  })

  it.skipIf(!!reason)('markup from the source renders inert, on every page that shows it', async () => {
    const preview = await text('/monitoring/data/fake/items?limit=100')
    expect(preview).toContain('&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;')
    expect(preview).not.toContain('<script>alert')
    const [id] = await runIds('partial')
    await db.warehouse.query(`INSERT INTO crmsync.rejects (run_id, source, stream, record_key, reason, raw) VALUES ($1, 'salespro', 'customer', '<img src=x onerror=alert(1)>', 'bad <svg onload=alert(1)>', '{"x": "</script><script>alert(1)</script>"}')`, [id])
    const detail = await text(`/monitoring/runs/${id}`)
    expect(detail).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(detail).not.toMatch(/<img src=x|<svg onload|<\/script><script>/)
    expect((await (await get(`/api/runs/${id}`)).json()).rejects[0].key).toBe('<img src=x onerror=alert(1)>')
  })

  it.skipIf(!!reason)('/api/streams, /api/runs and /api/runs/:id answer JSON with the real numbers', async () => {
    const { streams } = await (await get('/api/streams')).json()
    const customer = streams.find((s: { stream: string }) => s.stream === 'customer')
    expect(customer.rows).toBe((await countTableRows(db.warehouse, 'salespro', 'customer'))?.live)
    expect(customer).toMatchObject({ source: 'salespro', lastStatus: 'partial', runningRunId: null })
    const runs = await (await get('/api/runs')).json()
    expect(runs).toMatchObject({ total: 3, limit: 50, offset: 0 })
    expect(runs.runs.map((r: { stream: string }) => r.stream)).toEqual(['items', 'estimate', 'customer'])
    const page = await (await get('/api/runs?limit=1&offset=1&source=salespro')).json()
    expect(page.runs.map((r: { stream: string }) => r.stream)).toEqual(['customer'])
    expect(page.total).toBe(2)
    const [id] = await runIds('partial')
    const detail = await (await get(`/api/runs/${id}`)).json()
    expect(detail.run).toMatchObject({ id, status: 'partial', source: 'salespro', stream: 'customer' })
    expect(detail.pages).toHaveLength(detail.run.pages)
    expect(detail.pages[0]).toHaveProperty('fetchMs')
    expect(detail.rejects.length).toBeGreaterThan(0)
    expect(detail.rejects[0].reason).toEqual(expect.any(String))
    expect((await get('/api/runs/424242')).status).toBe(404)
    expect((await get('/api/runs?limit=0')).status).toBe(400)
    const overview = await (await get('/api/overview')).json()
    expect(overview.last24h.runs).toBe(3)
    expect(overview.health.warehouse.reachable).toBe(true)
    expect((await (await get('/api/sources')).json()).sources.map((s: { source: string }) => s.source)).toEqual(['salespro', 'fake'])
  })

  it.skipIf(!!reason)('/metrics answers crmsync metrics and /healthz the warehouse', async () => {
    const metrics = await get('/metrics')
    expect(metrics.headers.get('content-type')).toContain('text/plain')
    const body = await metrics.text()
    // the real registry (src/ops/metrics): valid exposition, with the warehouse's state read at scrape time
    expect(validateExposition(body).errors).toEqual([])
    expect(body).toMatch(/crmsync_stream_last_success_timestamp_seconds\{[^}]*source="fake",stream="items"[^}]*\} \d/)
    expect(body).toMatch(/crmsync_pool_connections\{[^}]*state="max"[^}]*\} \d/)
    const health = await get('/healthz')
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ ok: true, warehouse: { reachable: true } })
  })

  it.skipIf(!!reason)('/api/events streams a hello and a snapshot of the running runs', async () => {
    const controller = new AbortController()
    const response = await app.request('/api/events', { headers: { host: 'localhost' }, signal: controller.signal })
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    let received = ''
    while (!received.includes('event: snapshot')) received += new TextDecoder().decode((await reader.read()).value)
    expect(received).toContain('event: hello')
    expect(received).toMatch(/event: snapshot\ndata: \{"runs":\[\]/)
    await reader.cancel()
    controller.abort()
  })

  it.skipIf(!!reason)('an asset name is looked up among the assets only: an inherited name is a 404, never a 500', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'nope.js']) {
      const response = await get(`/monitoring/assets/${name}`)
      expect(response.status, name).toBe(404)
      const body = await response.text()
      expect(body).toContain('no such asset')
      expect(body).not.toMatch(/\bat \S+ \(|internal error/)
    }
    expect((await get('/monitoring/assets/dashboard.css')).status).toBe(200)
  })

  it.skipIf(!!reason)('every answer carries the security headers: a CSP without inline scripts, no framing, no sniffing', async () => {
    for (const path of ['/monitoring/', '/api/runs', '/monitoring/assets/dashboard.js']) {
      const response = await get(path)
      const csp = response.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).not.toContain('unsafe-inline')
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    }
    const page = await text('/monitoring/')
    expect(page).not.toMatch(/<script>|<script [^>]*>[^<]|\son[a-z]+=|style=/)
    expect(page).not.toContain(TEST_TOKEN)
  })
})
