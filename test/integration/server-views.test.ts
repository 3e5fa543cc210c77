import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SyncError } from '../../src/errors.ts'
import { TIMELINE_MAX_BARS } from '../../src/server/pages/timeline.ts'
import { makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { authed, createTestApp, waitFor, type TestApp } from '../helpers/server.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

/**
 * The dashboard's views over time — the timeline, a stream's trends, the charts — and the shared
 * time range they take, plus the schedules page; driven with `app.request()` over runs made by
 * real syncs of the in-memory fake source, ending succeeded, partial, failed and cancelled.
 */
describe.each(WAREHOUSE_KINDS)('dashboard views on %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let t: TestApp
  const fake: FakeSourceControls = { rows: makeRows(30), pagesServed: 0 }
  const get = (path: string) => t.app.request(path, { headers: { host: 'localhost' } })
  const text = async (path: string) => {
    const response = await get(path)
    expect(response.status, `${path}: ${response.status}`).toBe(200)
    return response.text()
  }
  const runIds = async () => (await db.warehouse.query<{ id: number; status: string }>(`SELECT id, status FROM crmsync.sync_runs ORDER BY id`)).rows
  // one sync through the API, as the dashboard starts it, waited for until it ends
  const syncOnce = async () => {
    const before = (await runIds()).length
    // accepted once the launcher has let go of the previous sync: its run is recorded ended a moment
    // before (its log's last flush), and a start in between is answered 409 busy
    await waitFor(async () => {
      const response = await t.app.request('/api/sync', { method: 'POST', headers: authed(), body: JSON.stringify({ source: 'fake', mode: 'full' }) })
      if (response.status !== 409) expect(response.status, await response.clone().text()).toBe(202)
      return response.status === 202
    }, 'the sync to be accepted')
    return waitFor(async () => {
      const runs = await runIds()
      return runs.length > before && runs.at(-1)?.status !== 'running' ? runs.at(-1) : undefined
    }, 'the fake sync')
  }

  beforeAll(async () => {
    if (reason) return
    db = await createTestWarehouse(kind)
    t = createTestApp(db.warehouse, { fake, batchSize: 10 })
    expect((await syncOnce()).status).toBe('succeeded')
    // a record without a usable key is rejected: the run ends partial
    fake.inject = (row) => (row.id === 'r00003' ? { values: { ...row, id: null }, raw: { ...row } } : undefined)
    expect((await syncOnce()).status).toBe('partial')
    fake.inject = undefined
    fake.beforePage = () => {
      throw new SyncError('source_bad_response', 'refused by the fake source')
    }
    expect((await syncOnce()).status).toBe('failed')
    // a run held at its first page and stopped from the API ends cancelled
    let hold = () => {}
    fake.beforePage = () => new Promise<void>((resolve) => (hold = resolve))
    // accepted once the launcher has let go of the failed run's sync (a start before that is busy)
    await waitFor(async () => (await t.app.request('/api/sync', { method: 'POST', headers: authed(), body: JSON.stringify({ source: 'fake' }) })).status === 202, 'the sync to be accepted')
    const running = await waitFor(async () => (await runIds()).find((r) => r.status === 'running'), 'a running run')
    const stop = await t.app.request(`/api/runs/${running.id}/stop`, { method: 'POST', headers: authed() })
    expect(stop.status, await stop.clone().text()).toBe(202)
    hold()
    await waitFor(async () => (await runIds()).find((r) => r.id === running.id && r.status === 'cancelled'), 'the cancelled run')
    fake.beforePage = undefined
  })
  afterAll(async () => {
    await t?.launcher.close?.()
    await db?.drop()
  })

  it.skipIf(!!reason)(`draws one lane per stream and a bar per run, coloured by outcome and linked to its run ${reason ?? ''}`, async () => {
    const page = await text('/monitoring/timeline')
    expect(page).toContain('<a href="/monitoring/timeline" aria-current="page">Timeline</a>')
    expect(page).toContain('>fake.items</text>')
    const bars = [...page.matchAll(/<a href="\/monitoring\/runs\/(\d+)"><rect class="bar (\w+)" data-run-id="(\d+)" data-status="(\w+)"/g)]
    const runs = await runIds()
    expect(bars.map((b) => Number(b[3])).sort((a, b) => a - b)).toEqual(runs.map((r) => r.id))
    for (const bar of bars) expect(bar[1]).toBe(bar[3])
    const classOf = new Map(bars.map((b) => [b[4], b[2]]))
    expect([...classOf.keys()].sort()).toEqual(['cancelled', 'failed', 'partial', 'succeeded'])
    // four outcomes, four colours
    expect(new Set(classOf.values()).size).toBe(4)
    for (const status of ['succeeded', 'partial', 'failed', 'cancelled', 'skipped', 'running']) expect(page).toContain(`<li data-status="${status}">`)
    expect(page).not.toContain('id="timeline-capped"')
  })

  it.skipIf(!!reason)(`gives every outcome its own colour in the badges too ${reason ?? ''}`, async () => {
    const page = await text('/monitoring/runs')
    const badges = new Map([...page.matchAll(/<span class="badge (\w+)">(\w+)<\/span>/g)].map((m) => [m[2], m[1]]))
    expect(badges.get('failed')).toBe('bad')
    expect(badges.get('partial')).toBe('warn')
    expect(badges.get('cancelled')).toBe('cancel')
    expect(badges.get('succeeded')).toBe('ok')
  })

  it.skipIf(!!reason)(`keeps the time range when moving between the ranged pages, and refuses a bad one with a 400 naming it ${reason ?? ''}`, async () => {
    const page = await text('/monitoring/timeline?range=7d')
    expect(page).toContain('<a href="/monitoring/runs?range=7d">Run history</a>')
    expect(page).toContain('<a href="/monitoring/charts?range=7d">Charts</a>')
    expect(page).toContain('<option value="7d" selected>')
    expect(await text('/monitoring/charts?range=7d')).toContain('<a href="/monitoring/timeline?range=7d"')
    expect(await text('/monitoring/runs?range=30d')).toContain('<a href="/monitoring/timeline?range=30d"')
    // a stream's page keeps it in its link to the history
    expect(await text('/monitoring/streams/fake/items?range=1h')).toContain('/monitoring/runs?source=fake&amp;stream=items&amp;range=1h')
    for (const path of ['/monitoring/timeline?range=2d', '/monitoring/charts?range=2d', '/monitoring/runs?range=2d', '/monitoring/streams/fake/items?range=2d']) {
      const response = await get(path)
      expect(response.status, path).toBe(400)
      expect(await response.text(), path).toMatch(/range: must be one of 1h, 24h, 7d, 30d, all/)
    }
    const garbled = await get('/monitoring/timeline?since=yesterday')
    expect(garbled.status).toBe(400)
    expect(await garbled.text()).toContain('since: must be an ISO-8601 date or time')
    const backwards = await get('/monitoring/timeline?since=2026-02-01&until=2026-01-01')
    expect(backwards.status).toBe(400)
    expect(await backwards.text()).toContain('until: must be after since')
    expect((await get('/monitoring/timeline?colour=red')).status).toBe(400)
  })

  it.skipIf(!!reason)(`shows only the runs of the window chosen, with links that zoom and move it ${reason ?? ''}`, async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString()
    const empty = await text(`/monitoring/timeline?since=${future}`)
    expect(empty).toContain('id="timeline-empty"')
    const around = await text(`/monitoring/timeline?since=${new Date(Date.now() - 3_600_000).toISOString()}`)
    expect(around.match(/<rect class="bar /g)).toHaveLength((await runIds()).length)
    for (const id of ['zoom-in', 'zoom-out', 'earlier']) expect(around).toContain(`id="${id}"`)
  })

  it.skipIf(!!reason)(`draws at most ${TIMELINE_MAX_BARS} bars and says so when more runs overlap the window ${reason ?? ''}`, async () => {
    // 3,000 one-minute runs in January 2025, far from this test's own runs
    await db.warehouse.query(
      `INSERT INTO crmsync.sync_runs (source, stream, mode, trigger, status, started_at, finished_at, heartbeat_at, duration_ms, host, pid)
       SELECT 'bulk', 'stream_' || (i % 7), 'incremental', 'test', (ARRAY['succeeded', 'partial', 'failed', 'cancelled'])[1 + i % 4],
         timestamptz '2025-01-01 00:00:00+00' + make_interval(mins => i), timestamptz '2025-01-01 00:00:30+00' + make_interval(mins => i),
         timestamptz '2025-01-01 00:00:30+00' + make_interval(mins => i), 30000, 'test', 1
       FROM generate_series(1, 3000) AS i`,
    )
    const started = performance.now()
    const page = await text('/monitoring/timeline?since=2025-01-01&until=2025-01-04')
    const took = performance.now() - started
    expect(page.match(/<rect class="bar /g)).toHaveLength(TIMELINE_MAX_BARS)
    expect(page).toContain('id="timeline-capped"')
    expect(page.match(/<text class="lane-label"/g)).toHaveLength(7)
    // a narrower window holds them all
    const day = await text('/monitoring/timeline?since=2025-01-01T00:00&until=2025-01-01T12:00')
    expect(day.match(/<rect class="bar /g)).toHaveLength(12 * 60 - 1)
    expect(day).not.toContain('id="timeline-capped"')
    console.info(`timeline of ${TIMELINE_MAX_BARS} bars out of 3,000 runs on ${kind}: ${Math.round(took)} ms, ${Math.round(page.length / 1024)} KiB`)
    await db.warehouse.query(`DELETE FROM crmsync.sync_runs WHERE source = 'bulk'`)
  })

  it.skipIf(!!reason)(`draws a stream's trends (rows, duration, rows per second) within the range ${reason ?? ''}`, async () => {
    const page = await text('/monitoring/streams/fake/items')
    const finished = (await runIds()).length
    for (const id of ['trend-rows', 'trend-duration', 'trend-rate']) expect(page).toContain(`id="${id}"`)
    const section = page.slice(page.indexOf('id="trend-rows"'), page.indexOf('id="trend-duration"'))
    // three points a run: fetched, inserted, updated
    expect(section.match(/<circle /g)).toHaveLength(3 * finished)
    expect(section).toMatch(/<title>run #\d+ \(full, succeeded\): 30 fetched<\/title>/)
    const duration = page.slice(page.indexOf('id="trend-duration"'), page.indexOf('id="trend-rate"'))
    expect(duration).toContain('class="cancel"')
    expect(duration).toContain('class="bad"')
    const later = await text(`/monitoring/streams/fake/items?since=${new Date(Date.now() + 60_000).toISOString()}`)
    expect(later).toContain('id="trends-empty"')
  })

  it.skipIf(!!reason)(`draws the charts over the range chosen, in buckets that fit it ${reason ?? ''}`, async () => {
    const hour = await text('/monitoring/charts?range=1h')
    expect(hour).toContain('Runs per minute by outcome')
    expect(hour).toContain('Records read per minute by source, last hour')
    expect(await text('/monitoring/charts')).toContain('Runs per day by outcome')
    const all = await text('/monitoring/charts?range=all')
    expect(all).toContain('Run duration, all time')
    expect(all.match(/<figure class="chart">/g)?.length).toBeGreaterThanOrEqual(4)
    // error kinds: a kind only partial runs had is amber, one of failed runs red
    expect(all).toMatch(/<rect class="warn"[^>]*><title>rejected_records: 1<\/title>/)
    expect(all).toMatch(/<rect class="bad"[^>]*><title>source_bad_response: 1<\/title>/)
  })

  it.skipIf(!!reason)(`lists the schedules with pause, resume and remove, each change audited ${reason ?? ''}`, async () => {
    expect(await text('/monitoring/schedules')).toContain('no schedules yet')
    const added = await t.app.request('/api/schedules', { method: 'POST', headers: authed(), body: JSON.stringify({ source: 'salespro', stream: 'customer', every: '15m' }) })
    expect(added.status).toBe(201)
    const { id } = (await added.json()) as { id: number }
    let page = await text('/monitoring/schedules')
    expect(page).toContain(`<tr data-schedule-id="${id}" data-paused="false">`)
    expect(page).toContain('every 15 min')
    expect(page).toContain(`data-action="schedule-pause" data-schedule="${id}"`)
    expect((await t.app.request(`/api/schedules/${id}/pause`, { method: 'POST', headers: authed() })).status).toBe(200)
    page = await text('/monitoring/schedules')
    expect(page).toContain(`<tr data-schedule-id="${id}" data-paused="true">`)
    expect(page).toContain(`data-action="schedule-resume" data-schedule="${id}"`)
    expect((await t.app.request(`/api/schedules/${id}`, { method: 'DELETE', headers: authed() })).status).toBe(200)
    expect(await text('/monitoring/schedules')).not.toContain(`data-schedule-id="${id}"`)
    const audit = (await (await get('/api/audit')).json()) as { events: { action: string; status: number }[] }
    const trail = audit.events.map((e) => `${e.action} ${e.status}`)
    for (const line of ['POST /api/schedules 201', `POST /api/schedules/${id}/pause 200`, `DELETE /api/schedules/${id} 200`]) expect(trail).toContain(line)
  })

  // last: it adds a run the tests above do not count
  it.skipIf(!!reason)(`a dry run is listed in the history marked, and left out of the overview's totals ${reason ?? ''}`, async () => {
    const before = await (await get('/api/overview')).json()
    const runId = await db.warehouse.store.insertRun(db.warehouse, { source: 'fake', stream: 'items', mode: 'full', trigger: 'cli', cursorFrom: null, host: 'here', pid: 1, dryRun: true })
    const counts = { fetched: 7, inserted: 7, updated: 0, unchanged: 0, rejected: 0, coerced: 0, deleted: 0 }
    await db.warehouse.store.finishRun(db.warehouse, runId, { status: 'succeeded', durationMs: 5, attempts: 1, dryRunCounts: counts })
    expect(await text('/monitoring/runs')).toMatch(new RegExp(`data-run-id="${runId}"[^]*?<td>full <span class="badge muted"[^>]*>dry run</span></td>`))
    expect((await (await get(`/api/runs/${runId}`)).json()).run).toMatchObject({ runId, dryRun: true, fetched: 7 })
    expect((await (await get('/api/overview')).json()).last24h).toEqual(before.last24h)
  })
})
