import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { salespro } from '../../src/connectors/salespro/index.ts'
import { salesrabbit } from '../../src/connectors/salesrabbit/index.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runSync } from '../../src/engine/run-sync.ts'
import { silentLogger } from '../../src/log.ts'
import { createSchema } from '../../src/warehouse/stream-table.ts'
import type { RunSummary } from '../../src/engine/summary.ts'
import { retryDelay } from '../../src/ops/automation/retry-rules.ts'
import { startHubSpot, type HubSpotFixture } from '../helpers/hubspot.ts'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { startSalesRabbit, type SalesRabbitFixture } from '../helpers/salesrabbit.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

const fastRetry = (error: Parameters<typeof retryDelay>[0], attempt: number) => retryDelay(error, attempt, { scale: 0.001 })

// the streams' declared order: a sync's summaries come in it, whichever stream ends first
const SALESPRO_STREAMS = ['customer', 'credit_application', 'estimate', 'lead_result', 'lead_result_line_item', 'payment', 'user_activity']

/** The most runs that were running at one instant, from their recorded start and end. */
async function peakOverlap(db: TestWarehouse, runs: readonly RunSummary[]): Promise<number> {
  const ids = runs.map((r) => r.runId)
  const { rows } = await db.warehouse.query<{ started: number; finished: number }>(
    `SELECT extract(epoch FROM started_at) * 1000 AS started, extract(epoch FROM finished_at) * 1000 AS finished
     FROM crmsync.sync_runs WHERE id = ANY($1::bigint[])`,
    [ids],
  )
  expect(rows).toHaveLength(runs.length)
  return Math.max(...rows.map((r) => rows.filter((o) => Number(o.started) <= Number(r.started) && Number(r.started) < Number(o.finished)).length))
}

describe.each(WAREHOUSE_KINDS)('streams of a source side by side, into %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let source: SalesProFixture
  beforeAll(async () => {
    if (reason) return
    // every Athena query waits 1.5 s in the queue, as real Athena's do whatever their size
    ;[db, source] = await Promise.all([createTestWarehouse(kind), startSalesPro({ queryDelayMs: 1500 })])
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })
  const live = async (table: string) => (await db.warehouse.query<{ n: number }>(`SELECT count(*)::int AS n FROM salespro."${table}" WHERE "_deleted_at" IS NULL`)).rows[0].n

  it.skipIf(!!reason)(`runs the streams at once, within the source's and the pool's bounds, each table equal to the source ${reason ?? ''}`, async () => {
    const runs = await source.sync(db.warehouse, undefined, { concurrency: 'per-source', retry: fastRetry })
    expect(runs.map((r) => [r.stream, r.status, r.error ?? null])).toEqual(SALESPRO_STREAMS.map((s) => [s, 'succeeded', null]))
    expect(new Set(runs.map((r) => r.runId)).size).toBe(SALESPRO_STREAMS.length)
    const peak = await peakOverlap(db, runs)
    // SalesPro's four, and the test pool (6 connections, 2 kept for heartbeats and logs) allows four too
    expect(peak).toBeGreaterThanOrEqual(2)
    expect(peak).toBeLessThanOrEqual(4)
    for (const [stream, n] of Object.entries(await source.emulator.tables())) expect([stream, await live(stream)]).toEqual([stream, n])
  })

  it.skipIf(!!reason)('one stream that fails leaves the others to finish, and the summaries keep their order', async () => {
    // the first query Athena receives is refused (not retryable): whichever stream sent it fails alone
    await source.admin('/_admin/source-faults', { failQueries: { count: 1, reason: 'PERMISSION_DENIED: emulated refusal of one query' } })
    try {
      const runs = await source.sync(db.warehouse, undefined, { concurrency: 'per-source', retry: fastRetry })
      expect(runs.map((r) => r.stream)).toEqual(SALESPRO_STREAMS)
      const failed = runs.filter((r) => r.status !== 'succeeded')
      expect(failed.map((r) => [r.status, r.errorCode])).toEqual([['failed', 'query_refused']])
      expect(runs.filter((r) => r.status === 'succeeded')).toHaveLength(SALESPRO_STREAMS.length - 1)
    } finally {
      await source.admin('/_admin/source-faults', undefined, 'DELETE')
    }
  })

  it.skipIf(!!reason)('a stop ends every running stream cancelled and starts none of those waiting', async () => {
    const stop = new AbortController()
    const events = createEngineEvents()
    let started = 0
    // stopped while the first streams wait for their Athena queries
    events.on('run:start', () => ++started === 2 && stop.abort())
    const runs = await source.sync(db.warehouse, undefined, { concurrency: 'per-source', retry: fastRetry, signal: stop.signal, events })
    expect(runs.map((r) => r.stream)).toEqual(SALESPRO_STREAMS)
    expect(runs.filter((r) => r.status !== 'cancelled').map((r) => [r.stream, r.status])).toEqual([])
    const waiting = runs.filter((r) => r.runId === null)
    expect(waiting.length).toBeGreaterThanOrEqual(SALESPRO_STREAMS.length - 4)
    for (const r of waiting) expect(r.error).toBe('stopped on request before this stream started')
    const { rows } = await db.warehouse.query<{ status: string }>(`SELECT DISTINCT status FROM crmsync.sync_runs WHERE id = ANY($1::bigint[])`, [runs.flatMap((r) => (r.runId === null ? [] : [r.runId]))])
    expect(rows.map((r) => r.status)).toEqual(['cancelled'])
  })
})

describe('streams making sure of their schema at once', () => {
  const reason = postgresUnavailable()
  let db: TestWarehouse
  beforeAll(async () => {
    if (!reason) db = await createTestWarehouse('postgres')
  })
  afterAll(async () => db?.drop())

  it.skipIf(!!reason)(`each finds the schema made, none fails on another's creating it ${reason ?? ''}`, async () => {
    // CREATE SCHEMA IF NOT EXISTS looks before it inserts: of two at once, the later met the
    // earlier's row in pg_namespace and a stream of a first parallel sync failed (duplicate key)
    for (let round = 0; round < 10; round++) {
      const schema = `race_${round}`
      await Promise.all(Array.from({ length: 4 }, () => createSchema(db.warehouse, schema)))
      const { rows } = await db.warehouse.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema])
      expect(rows).toHaveLength(1)
    }
  })
})

describe('sources side by side (sync --all)', () => {
  const reason = postgresUnavailable()
  let db: TestWarehouse
  let pro: SalesProFixture
  let rabbit: SalesRabbitFixture
  beforeAll(async () => {
    if (reason) return
    ;[db, pro, rabbit] = await Promise.all([createTestWarehouse('postgres'), startSalesPro({ queryDelayMs: 1500 }), startSalesRabbit({ rows: 300 })])
  })
  afterAll(async () => {
    await db?.drop()
    await pro?.emulator.close()
    await rabbit?.emulator.close()
  })

  it.skipIf(!!reason)(`one source's streams run while the other's do, and the summaries come source by source ${reason ?? ''}`, async () => {
    const settings = { lookbackSeconds: 60, horizonSeconds: 0, batchSize: 100 }
    const targets = [
      { connector: salespro, config: salespro.loadConfig({ ...pro.emulator.env }, { maxPollMs: 100 }), settings },
      { connector: salesrabbit, config: rabbit.config(), settings },
    ]
    const { runs } = await runSync(targets, { warehouse: db.warehouse, log: silentLogger(), events: createEngineEvents(), concurrency: 'per-source', retry: fastRetry })
    expect(runs.map((r) => [r.source, r.stream, r.status, r.error ?? null])).toEqual([
      ...SALESPRO_STREAMS.map((s) => ['salespro', s, 'succeeded', null]),
      ['salesrabbit', 'leads', 'succeeded', null],
      ['salesrabbit', 'users', 'succeeded', null],
    ])
    const { rows } = await db.warehouse.query<{ source: string; started: Date; finished: Date }>(
      `SELECT source, started_at AS started, finished_at AS finished FROM crmsync.sync_runs WHERE id = ANY($1::bigint[])`,
      [runs.map((r) => r.runId)],
    )
    const lastSalesPro = Math.max(...rows.filter((r) => r.source === 'salespro').map((r) => r.finished.getTime()))
    const firstSalesRabbit = Math.min(...rows.filter((r) => r.source === 'salesrabbit').map((r) => r.started.getTime()))
    expect(firstSalesRabbit).toBeLessThan(lastSalesPro)
  })
})

describe('HubSpot streams side by side draw on one rate budget', () => {
  const reason = postgresUnavailable()
  // low enough that the streams' requests need several ten-second windows
  const limits = { tenSecondly: 12, searchPerSecond: 5 }
  let db: TestWarehouse
  let source: HubSpotFixture
  beforeAll(async () => {
    if (reason) return
    ;[db, source] = await Promise.all([createTestWarehouse('postgres'), startHubSpot({ rows: 150, limits })])
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })

  it.skipIf(!!reason)(`three streams at once stay under the account's limit: no 429 ${reason ?? ''}`, async () => {
    const streams = ['contacts', 'companies', 'deals', 'owners']
    const runs = await source.sync(db.warehouse, streams, { concurrency: 'per-source', retry: fastRetry, file: { limits }, batchSize: 10 })
    expect(runs.map((r) => [r.stream, r.status])).toEqual(streams.map((s) => [s, 'succeeded']))
    // the streams did run side by side: one budget, not one each
    expect(await peakOverlap(db, runs)).toBeGreaterThanOrEqual(2)
    const stats = await source.admin('/_admin/stats')
    expect(stats.rateLimited).toBe(0)
    // more requests than one window holds, so the budget was what paced them; and never more in any ten seconds
    const times: number[] = stats.times.general
    expect(times.length).toBeGreaterThan(limits.tenSecondly * 2)
    const busiest = Math.max(...times.map((t) => times.filter((o) => o >= t && o < t + 10_000).length))
    expect(busiest).toBeLessThanOrEqual(limits.tenSecondly)
  })
})
