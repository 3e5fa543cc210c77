import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { salespro } from '../../src/connectors/salespro/index.ts'
import type { RunContext, Stream } from '../../src/connectors/types.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { cannotRebuild, runReprocess, type ReprocessOptions } from '../../src/engine/reprocess.ts'
import { retryRejects } from '../../src/engine/retry-rejects.ts'
import { runStream } from '../../src/engine/run-stream.ts'
import { silentLogger } from '../../src/log.ts'
import type { Warehouse } from '../../src/warehouse/types.ts'
import { dyingWarehouse } from '../helpers/dying-warehouse.ts'
import { startSalesPro, upperLastNames, type SalesProFixture } from '../helpers/salespro.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

const ctx: RunContext = { signal: new AbortController().signal, log: silentLogger(), now: () => new Date(), report: () => {} }

const reprocessOptions = (warehouse: Warehouse, extra: Partial<ReprocessOptions> = {}): ReprocessOptions => ({
  warehouse,
  log: silentLogger(),
  events: createEngineEvents(),
  dryRun: false,
  batchSize: 50,
  trigger: 'test',
  ...extra,
})

/** Resolves when `until` is true, polling; fails after a generous deadline. */
async function waitFor(until: () => Promise<boolean> | boolean, what: string, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs
  while (!(await until())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe.each(WAREHOUSE_KINDS)('reprocess and rejects retry, salespro into %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let source: SalesProFixture
  let streams: readonly Stream[]
  const stream = (name: string) => streams.find((s) => s.name === name) as Stream
  beforeAll(async () => {
    if (reason) return
    ;[db, source] = await Promise.all([createTestWarehouse(kind), startSalesPro()])
    streams = await salespro.streams(salespro.loadConfig({ ...source.emulator.env }, { maxPollMs: 100 }), ctx)
    const runs = await source.sync(db.warehouse, ['customer', 'user_activity'])
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded'])
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })
  const q = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.warehouse.query<T>(sql, params)).rows
  // rows whose typed first name is not the one their _raw holds
  const broken = async () => (await q<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer WHERE customer_first_name IS DISTINCT FROM _raw->>'customer_first_name'`))[0].n
  const snapshot = async () => q<{ customer_id: string; _hash: string; synced: string }>(`SELECT customer_id, _hash, _synced_at::text AS synced FROM salespro.customer ORDER BY customer_id`)
  const breakRows = async (n: number) =>
    (await db.warehouse.query(`UPDATE salespro.customer SET customer_first_name = 'BROKEN' WHERE customer_id IN (SELECT customer_id FROM salespro.customer ORDER BY customer_id LIMIT $1)`, [n])).rowCount
  const sourceCalls = async () => {
    const stats = await source.admin('/_admin/stats')
    return { queries: stats.queries.length, requests: Object.values(stats.requests as Record<string, number>).reduce((a, b) => a + b, 0) }
  }

  it.skipIf(!!reason)(`fixes corrupted typed columns from _raw with zero source calls, keeping _hash and _synced_at ${reason ?? ''}`, async () => {
    const before = await snapshot()
    const state = await q(`SELECT cursor FROM crmsync.stream_state WHERE source = 'salespro' AND stream = 'customer'`)
    expect(await breakRows(60)).toBe(60)
    expect(await broken()).toBe(60)
    await source.admin('/_admin/stats', undefined, 'DELETE')
    const summary = await runReprocess('salespro', stream('customer'), reprocessOptions(db.warehouse))
    expect(summary).toMatchObject({ status: 'succeeded', mode: 'reprocess', fetched: 300, updated: 60, unchanged: 240, inserted: 0, deleted: 0, rejected: 0 })
    expect(await sourceCalls()).toEqual({ queries: 0, requests: 0 })
    expect(await broken()).toBe(0)
    expect(await snapshot()).toEqual(before)
    // the run is history, mode reprocess; the stream's cursor did not move
    const [run] = await q(`SELECT mode, status, fetched, updated FROM crmsync.sync_runs WHERE id = $1`, [summary.runId])
    expect(run).toEqual({ mode: 'reprocess', status: 'succeeded', fetched: 300, updated: 60 })
    expect(await q(`SELECT cursor FROM crmsync.stream_state WHERE source = 'salespro' AND stream = 'customer'`)).toEqual(state)
    const touched = await q<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer WHERE _run_id = $1`, [summary.runId])
    expect(touched[0].n).toBe(60)
    // nothing left to fix: a second reprocess changes nothing
    expect(await runReprocess('salespro', stream('customer'), reprocessOptions(db.warehouse))).toMatchObject({ status: 'succeeded', updated: 0, unchanged: 300 })
  })

  it.skipIf(!!reason)('applies a changed processor to the stored rows (and --dry-run only counts)', async () => {
    const original = stream('customer')
    // today's processor reads last names in capitals: the rows already loaded follow without a re-read
    const fixed = upperLastNames(original)
    const differing = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer WHERE customer_last_name IS DISTINCT FROM upper(customer_last_name)`))[0].n
    expect(differing).toBeGreaterThan(0)
    const dry = await runReprocess('salespro', fixed, reprocessOptions(db.warehouse, { dryRun: true }))
    expect(dry).toMatchObject({ status: 'succeeded', updated: differing, runId: expect.any(Number) })
    // recorded as a run, marked dry, with what it would have done
    expect(await q(`SELECT mode, dry_run, status, updated FROM crmsync.sync_runs WHERE id = $1`, [dry.runId])).toEqual([{ mode: 'reprocess', dry_run: true, status: 'succeeded', updated: differing }])
    expect((await q<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer WHERE customer_last_name IS DISTINCT FROM upper(customer_last_name)`))[0].n).toBe(differing)
    const only = await q<{ customer_id: string }>(`SELECT customer_id FROM salespro.customer WHERE customer_last_name IS DISTINCT FROM upper(customer_last_name) ORDER BY customer_id LIMIT 2`)
    const keyed = await runReprocess('salespro', fixed, reprocessOptions(db.warehouse, { keys: only.map((r) => r.customer_id) }))
    expect(keyed).toMatchObject({ status: 'succeeded', fetched: 2, updated: 2 })
    const summary = await runReprocess('salespro', fixed, reprocessOptions(db.warehouse))
    expect(summary).toMatchObject({ status: 'succeeded', updated: differing - 2 })
    expect((await q<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer WHERE customer_last_name IS DISTINCT FROM upper(customer_last_name)`))[0].n).toBe(0)
    // back to today's real processor, which restores the names as received
    expect(await runReprocess('salespro', original, reprocessOptions(db.warehouse))).toMatchObject({ status: 'succeeded', updated: differing })
  })

  it.skipIf(!!reason)('a reprocess killed half-way resumes after its last committed key and converges', async () => {
    expect(await breakRows(300)).toBe(300)
    const dying = dyingWarehouse(db.warehouse, 2)
    const killed = await runReprocess('salespro', stream('customer'), reprocessOptions(dying.warehouse))
    expect(dying.died()).toBe(true)
    expect(killed.status).toBe('failed')
    // two batches of 50 committed, each with the key it ended at
    expect(await broken()).toBe(200)
    const [state] = await q<{ after: string[] }>(`SELECT reprocess_after AS after FROM crmsync.stream_state WHERE source = 'salespro' AND stream = 'customer'`)
    const [hundredth] = await q<{ id: string }>(`SELECT customer_id AS id FROM salespro.customer ORDER BY customer_id OFFSET 99 LIMIT 1`)
    expect(state.after).toEqual([hundredth.id])
    const resumed = await runReprocess('salespro', stream('customer'), reprocessOptions(db.warehouse))
    expect(resumed).toMatchObject({ status: 'succeeded', fetched: 200, updated: 200 })
    expect(await broken()).toBe(0)
    expect((await q(`SELECT reprocess_after FROM crmsync.stream_state WHERE source = 'salespro' AND stream = 'customer'`))[0]).toEqual({ reprocess_after: null })
    // the killed run was found dead by the next one
    expect((await q(`SELECT status, error_code FROM crmsync.sync_runs WHERE id = $1`, [killed.runId]))[0]).toEqual({ status: 'failed', error_code: 'abandoned' })
  })

  it.skipIf(!!reason)('never interleaves with a sync: a reprocess meeting a sync is refused, and a sync meeting a reprocess', async () => {
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    let reading = false
    const customer = stream('customer')
    const held: Stream = {
      ...customer,
      async *read(request, readCtx) {
        reading = true
        await gate
        yield* customer.read(request, readCtx)
      },
    }
    const sync = runStream('salespro', held, { warehouse: db.warehouse, log: silentLogger(), events: createEngineEvents(), flags: {}, dryRun: false, pageSize: 100, commitRows: 100, trigger: 'test', lookbackSeconds: 0, horizonSeconds: 0 })
    await waitFor(() => reading, 'the sync to hold the stream')
    const refused = await runReprocess('salespro', customer, reprocessOptions(db.warehouse))
    expect(refused).toMatchObject({ status: 'skipped', errorCode: 'busy', runId: null })
    expect(refused.error).toMatch(/salespro\.customer is already being synced by run \d+.*the reprocess did not start/)
    open()
    expect((await sync).status).toBe('succeeded')

    // the other way round: a reprocess holds the stream while it reads its rows
    let release!: () => void
    const paused = new Promise<void>((resolve) => (release = resolve))
    let reprocessing = false
    const store = db.warehouse.store
    const slow: Warehouse = Object.create(db.warehouse, {
      store: { value: { ...store, readLiveRows: async (...args: Parameters<typeof store.readLiveRows>) => ((reprocessing = true), await paused, store.readLiveRows(...args)) } },
    })
    const reprocess = runReprocess('salespro', customer, reprocessOptions(slow))
    await waitFor(() => reprocessing, 'the reprocess to hold the stream')
    const busy = await runStream('salespro', customer, { warehouse: db.warehouse, log: silentLogger(), events: createEngineEvents(), flags: {}, dryRun: false, pageSize: 100, commitRows: 100, trigger: 'test', lookbackSeconds: 0, horizonSeconds: 0 })
    expect(busy).toMatchObject({ status: 'skipped', errorCode: 'busy' })
    expect(busy.error).toMatch(/a reprocess, run \d+/)
    release()
    expect((await reprocess).status).toBe('succeeded')
  })

  // PostgreSQL only: an embedded warehouse belongs to one process (its directory lock), so no other
  // process can hold one of its streams
  it.skipIf(!!reason || kind !== 'postgres')('refuses while another process holds the stream (the advisory lock; PostgreSQL only)', async () => {
    const session = await db.warehouse.session()
    try {
      expect(await db.warehouse.store.tryStreamLock(session, 'salespro', 'customer')).toBe(true)
      expect(await runReprocess('salespro', stream('customer'), reprocessOptions(db.warehouse))).toMatchObject({ status: 'skipped', errorCode: 'busy' })
      expect(await retryRejects('salespro', stream('customer'), { ...reprocessOptions(db.warehouse) })).toMatchObject({ status: 'skipped', errorCode: 'busy' })
    } finally {
      await db.warehouse.store.unlockStream(session, 'salespro', 'customer')
      await session.release()
    }
  })

  it.skipIf(!!reason)('streams whose records depend on more than their _raw cannot be reprocessed', () => {
    expect(cannotRebuild('salespro', stream('customer'))).toBeUndefined()
    expect(cannotRebuild('salespro', stream('lead_result'))).toBeUndefined()
    expect(cannotRebuild('salespro', stream('user_activity'))).toMatch(/salespro\.user_activity cannot be reprocessed/)
    expect(cannotRebuild('salespro', stream('lead_result_line_item'))).toMatch(/salespro\.lead_result_line_item cannot be reprocessed/)
  })

  it.skipIf(!!reason)('rejects retry stores what today\'s processors accept, never over a newer version, and keeps the rest with today\'s reason', async () => {
    const [row] = await q<{ id: string; raw: Record<string, string | null> }>(`SELECT customer_id AS id, _raw AS raw FROM salespro.customer ORDER BY customer_id LIMIT 1`)
    const newer = row.raw
    // an older version of a stored customer, a customer the table lacks, and one still unreadable
    const older = { ...newer, customer_first_name: 'OLDER', updated_at: '2001-01-01 00:00:00.000' }
    const absent = { ...newer, customer_id: 'ZZ-RETRIED', customer_first_name: 'NEW' }
    const unreadable = { ...newer, customer_id: 'ZZ-BAD', updated_at: 'not a time' }
    for (const [key, raw] of [[newer.customer_id, older], ['ZZ-RETRIED', absent], ['ZZ-BAD', unreadable]] as const) {
      await db.warehouse.query(`INSERT INTO crmsync.rejects (run_id, source, stream, record_key, reason, raw) VALUES (NULL, 'salespro', 'customer', $1, 'an older processor refused it', $2::jsonb)`, [key, JSON.stringify(raw)])
    }
    await source.admin('/_admin/stats', undefined, 'DELETE')
    const summary = await retryRejects('salespro', stream('customer'), { ...reprocessOptions(db.warehouse) })
    expect(summary).toMatchObject({ status: 'partial', mode: 'reprocess', fetched: 3, inserted: 1, updated: 0, unchanged: 1, rejected: 1 })
    expect(await sourceCalls()).toEqual({ queries: 0, requests: 0 })
    expect((await q(`SELECT customer_first_name FROM salespro.customer WHERE customer_id = $1`, [row.id]))[0]).toEqual({ customer_first_name: newer.customer_first_name })
    expect((await q(`SELECT customer_first_name FROM salespro.customer WHERE customer_id = 'ZZ-RETRIED'`))[0]).toEqual({ customer_first_name: 'NEW' })
    const left = await q<{ record_key: string; reason: string }>(`SELECT record_key, reason FROM crmsync.rejects WHERE source = 'salespro' AND stream = 'customer'`)
    expect(left).toHaveLength(1)
    expect(left[0].record_key).toBe('ZZ-BAD')
    expect(left[0].reason).toMatch(/updated_at/)
    expect(left[0].reason).not.toMatch(/older processor/)
    const live = await q<{ live_rows: string }>(`SELECT live_rows::text FROM crmsync.stream_state WHERE source = 'salespro' AND stream = 'customer'`)
    expect(live[0].live_rows).toBe('301')
    // a retry again finds nothing new to store; the unreadable one stays
    expect(await retryRejects('salespro', stream('customer'), { ...reprocessOptions(db.warehouse) })).toMatchObject({ fetched: 1, inserted: 0, rejected: 1 })
    await db.warehouse.query(`DELETE FROM crmsync.rejects`)
    await db.warehouse.query(`DELETE FROM salespro.customer WHERE customer_id = 'ZZ-RETRIED'`)
    await db.warehouse.query(`UPDATE crmsync.stream_state SET live_rows = live_rows - 1 WHERE source = 'salespro' AND stream = 'customer'`)
  })
})
