import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineEvents } from '../../src/engine/events.ts'
import { emptySummary } from '../../src/engine/summary.ts'
import { silentLogger } from '../../src/log.ts'
import { createLiveHub, type LiveHub } from '../../src/server/live-hub.ts'
import { waitFor } from '../helpers/server.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

describe.each(WAREHOUSE_KINDS)('the live feed, on %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let hub: LiveHub
  beforeAll(async () => {
    if (reason) return
    db = await createTestWarehouse(kind)
    hub = createLiveHub({ warehouse: db.warehouse, events: createEngineEvents(), log: silentLogger(), pollMs: 100 })
  })
  afterAll(async () => {
    hub?.close()
    await db?.drop()
  })

  it.skipIf(!!reason)(`a run of another process that ends leaves the live table with its final status and counts from the warehouse ${reason ?? ''}`, async () => {
    const events: { event: string; data: any }[] = []
    const off = hub.subscribe((event, data) => events.push({ event, data }))
    const { rows } = await db.warehouse.query<{ id: number }>(
      `INSERT INTO crmsync.sync_runs (source, stream, mode, status, host, pid, fetched, coerced) VALUES ('elsewhere', 'items', 'full', 'running', 'other-host', 4242, 10, 3) RETURNING id`,
    )
    const id = rows[0].id
    // two snapshots: the first may be the one subscribing sends, read before any poll saw the run
    // running, and a run no poll saw running is never announced as ended
    const withRun = () => events.filter((e) => e.event === 'snapshot' && e.data.runs?.some((r: any) => r.id === id))
    await waitFor(() => withRun().length >= 2, 'two snapshots with the run', 60_000)
    expect(withRun()[0].data.runs.find((r: any) => r.id === id)).toMatchObject({ fetched: 10, rejected: 0, coerced: 3 })
    await db.warehouse.query(`UPDATE crmsync.sync_runs SET status = 'succeeded', fetched = 250, inserted = 240, coerced = 7, finished_at = now(), duration_ms = 1234 WHERE id = $1`, [id])
    const end = await waitFor(() => events.find((e) => e.event === 'run:end' && e.data.runId === id), 'the run:end of the run of the other process', 60_000)
    expect(end.data).toMatchObject({ runId: id, source: 'elsewhere', stream: 'items', status: 'succeeded', fetched: 250, inserted: 240, coerced: 7, durationMs: 1234 })
    off()
  })

  it.skipIf(!!reason)('a run whose end cannot be read at the first try (the warehouse failed once) is announced at the next poll', async () => {
    // the real warehouse, but the read of one run's end fails once, as a busy pool or a dropped connection would
    let failReads = 0
    const flaky = new Proxy(db.warehouse, {
      get(target, name, receiver) {
        if (name !== 'query') return Reflect.get(target, name, receiver)
        return (sql: string, params?: unknown[]) => {
          if (failReads > 0 && /FROM crmsync\.sync_runs (r )?WHERE id = \$1/.test(sql)) {
            failReads--
            return Promise.reject(new Error('connection terminated unexpectedly'))
          }
          return target.query(sql, params as never)
        }
      },
    })
    const own = createLiveHub({ warehouse: flaky, events: createEngineEvents(), log: silentLogger(), pollMs: 50 })
    const events: { event: string; data: any }[] = []
    const off = own.subscribe((event, data) => events.push({ event, data }))
    try {
      const { rows } = await db.warehouse.query<{ id: number }>(
        `INSERT INTO crmsync.sync_runs (source, stream, mode, status, host, pid) VALUES ('elsewhere', 'flaky', 'full', 'running', 'other-host', 4343) RETURNING id`,
      )
      const id = rows[0].id
      const withRun = () => events.filter((e) => e.event === 'snapshot' && e.data.runs?.some((r: any) => r.id === id))
      await waitFor(() => withRun().length >= 2, 'two snapshots with the run', 60_000)
      failReads = 1
      await db.warehouse.query(`UPDATE crmsync.sync_runs SET status = 'succeeded', fetched = 5, finished_at = now(), duration_ms = 10 WHERE id = $1`, [id])
      const end = await waitFor(() => events.find((e) => e.event === 'run:end' && e.data.runId === id), 'the run:end after a failed read', 60_000)
      expect(failReads).toBe(0)
      expect(end.data).toMatchObject({ runId: id, status: 'succeeded', fetched: 5 })
    } finally {
      off()
      own.close()
    }
  })

  it.skipIf(!!reason)('the pages and the end of a run of this process carry its coerced records beside its rejected ones', async () => {
    const events = createEngineEvents()
    const own = createLiveHub({ warehouse: db.warehouse, events, log: silentLogger(), pollMs: 60_000, coalesceMs: 10 })
    const seen: { event: string; data: any }[] = []
    const off = own.subscribe((event, data) => seen.push({ event, data }))
    try {
      const counts = { fetched: 10, inserted: 10, updated: 0, unchanged: 0, rejected: 1, coerced: 2, deleted: 0, fetchMs: 5, writeMs: 5 }
      events.emit('page:committed', { runId: 9001, source: 'fake', stream: 'items', pageNo: 1, page: counts, totals: counts, cursor: null })
      const page = await waitFor(() => seen.find((e) => e.event === 'page:committed'), 'the page event', 60_000)
      expect(page.data).toMatchObject({ runId: 9001, rejected: 1, coerced: 2 })
      expect(page.data).not.toHaveProperty('progress')
      const summary = { ...emptySummary('fake', 'items', 'incremental', false), runId: 9001, status: 'succeeded' as const, fetched: 10, rejected: 1, coerced: 2 }
      // a later commit of a read whose source told its size carries how far through it the read is
      const more = { ...counts, fetched: 30 }
      events.emit('page:committed', { runId: 9001, source: 'fake', stream: 'items', pageNo: 2, page: counts, totals: more, cursor: null, progress: { unit: 'records', done: 30, total: 120 } })
      const sized = await waitFor(() => seen.find((e) => e.event === 'page:committed' && e.data.pages === 2), 'the second page event', 60_000)
      expect(sized.data).toMatchObject({ runId: 9001, fetched: 30, progress: { unit: 'records', done: 30, total: 120 } })
      events.emit('run:end', { summary })
      expect(seen.find((e) => e.event === 'run:end')?.data).toMatchObject({ runId: 9001, rejected: 1, coerced: 2 })
    } finally {
      off()
      own.close()
    }
  })
})
