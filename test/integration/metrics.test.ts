import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineEvents, type EngineEvents } from '../../src/engine/events.ts'
import { runSync, type SyncOptions } from '../../src/engine/run-sync.ts'
import type { RunSummary } from '../../src/engine/summary.ts'
import { silentLogger } from '../../src/log.ts'
import { createMetrics, type CrmsyncMetrics, type MetricsOptions } from '../../src/ops/metrics/create-metrics.ts'
import { ROW_OUTCOMES } from '../../src/ops/metrics/metric-definitions.ts'
import { listenForScrapes } from '../../src/ops/metrics/metrics-http.ts'
import { validateExposition, type ValidationResult } from '../../src/ops/metrics/validate-exposition.ts'
import { createFakeConnector, createFakeStream, makeRows, type FakeRow, type FakeSourceControls } from '../helpers/fake-source.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'
import { cliEnv, runCli } from '../helpers/cli.ts'
import { startSalesRabbit } from '../helpers/salesrabbit.ts'
import { startServeCli } from '../helpers/serve-cli.ts'
import { waitFor } from '../helpers/server.ts'

const skipReason = (kind: string) => (kind === 'postgres' ? postgresUnavailable() : undefined)

/** Renders, checks that the text is valid exposition, and returns it parsed. */
async function scrape(metrics: CrmsyncMetrics): Promise<ValidationResult> {
  const result = validateExposition(await metrics.render())
  expect(result.errors).toEqual([])
  return result
}

/** The series of `name` whose labels include `labels`; undefined when none, an error when several. */
function valueOf(result: ValidationResult, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = [...result.families.values()].find((f) => f.samples.some((s) => s.name === name))
  const matches = (family?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )
  if (matches.length > 1) throw new Error(`${matches.length} series of ${name} match ${JSON.stringify(labels)}`)
  return matches[0]?.value
}

const sumOf = (runs: RunSummary[], key: (typeof ROW_OUTCOMES)[number]) => runs.reduce((n, r) => n + r[key], 0)

/** A record the warehouse refuses (its cursor is no timestamp): a reject. A field that merely does not fit is nulled instead. */
const badCursor = (row: FakeRow) => ({ values: { parent: null, ...row, updated_at: '2024-13-45T99:00:00Z' }, raw: { ...row } })

describe.each(WAREHOUSE_KINDS)('metrics on %s', (kind) => {
  const reason = skipReason(kind)
  let db: TestWarehouse
  const opened: CrmsyncMetrics[] = []
  beforeAll(async () => {
    if (!reason) db = await createTestWarehouse(kind)
  })
  afterAll(async () => {
    for (const m of opened) m.close()
    await db?.drop()
  })

  const open = (events: EngineEvents, options: Partial<MetricsOptions> = {}) => {
    const metrics = createMetrics({ events, warehouse: db.warehouse, reuseMs: 0, ...options })
    opened.push(metrics)
    return metrics
  }

  let streamNo = 0
  const setup = (controls: Partial<FakeSourceControls> = {}) => {
    const c: FakeSourceControls = { rows: new Map(), pagesServed: 0, ...controls }
    const name = `metrics_${++streamNo}`
    const stream = createFakeStream(c, { name })
    const events = createEngineEvents()
    const run = (options: Partial<SyncOptions> = {}) =>
      runSync([{ connector: createFakeConnector(c, [stream]), config: {}, settings: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10 } }], {
        warehouse: db.warehouse,
        log: silentLogger(),
        events,
        ...options,
      }).then((r) => r.runs[0])
    return { c, name, events, run }
  }

  it.skipIf(!!reason)('real runs move runs, rows equal to their summaries, rejects, page histograms and the running gauge', async () => {
    const { c, name, events, run } = setup({ rows: makeRows(25) })
    const metrics = open(events, { processLabel: 'worker' })
    const labels = { source: 'fake', stream: name }
    let runningDuringRun: number | undefined
    c.beforePage = async (pageNo) => {
      if (pageNo === 2) runningDuringRun = valueOf(await scrape(metrics), 'crmsync_running_syncs', labels)
    }
    // a record stored with a field that does not fit nulled (coerced), and one whose cursor the warehouse refuses (rejected)
    c.inject = (row) => (row.id === 'r00003' ? { values: { ...row, amount: 'twelve' }, raw: { ...row } } : row.id === 'r00004' ? badCursor(row) : undefined)
    const began = Date.now()
    const runs: RunSummary[] = [await run()]
    expect(runs[0]).toMatchObject({ status: 'partial', fetched: 25, inserted: 24, rejected: 1, coerced: 1 })
    expect(runningDuringRun).toBe(1)

    // a full pass that no longer sees five rows soft-deletes them at its end, outside any page
    c.beforePage = undefined
    c.inject = undefined
    for (const id of ['r00010', 'r00011', 'r00012', 'r00013', 'r00014']) c.rows.delete(id)
    c.rows.set('r00001', { ...c.rows.get('r00001')!, name: 'changed' })
    runs.push(await run({ flags: { full: true } }))
    expect(runs[1]).toMatchObject({ status: 'succeeded', fetched: 20, rejected: 0, coerced: 0, deleted: 5 })

    const result = await scrape(metrics)
    for (const outcome of ROW_OUTCOMES)
      expect(valueOf(result, 'crmsync_rows_total', { ...labels, outcome }) ?? 0, outcome).toBe(sumOf(runs, outcome))
    expect(valueOf(result, 'crmsync_rejects_total', labels)).toBe(1)
    expect(valueOf(result, 'crmsync_coerced_total', labels)).toBe(1)
    expect(valueOf(result, 'crmsync_runs_total', { ...labels, status: 'partial' })).toBe(1)
    expect(valueOf(result, 'crmsync_runs_total', { ...labels, status: 'succeeded' })).toBe(1)
    expect(valueOf(result, 'crmsync_run_duration_seconds_count', { ...labels, status: 'succeeded' })).toBe(1)
    const durationSum = valueOf(result, 'crmsync_run_duration_seconds_sum', { ...labels, status: 'succeeded' })
    expect(durationSum).toBeCloseTo(runs[1].durationMs / 1000, 6)
    // 3 pages, then 2 pages and the empty read that ends the second run (no page)
    expect(valueOf(result, 'crmsync_page_duration_seconds_count', { ...labels, phase: 'fetch' })).toBe(5)
    expect(valueOf(result, 'crmsync_page_duration_seconds_count', { ...labels, phase: 'write' })).toBe(5)
    expect(valueOf(result, 'crmsync_running_syncs', labels)).toBe(0)
    expect(valueOf(result, 'crmsync_runs_total', { ...labels, status: 'partial', process: 'worker' })).toBe(1)
    // the stream's last success is one of these runs', read from crmsync.stream_state (within the
    // test's own span, however long a loaded machine made it; a second's slack for clock rounding)
    const lastSuccess = valueOf(result, 'crmsync_stream_last_success_timestamp_seconds', labels) ?? 0
    expect(lastSuccess).toBeGreaterThanOrEqual(began / 1000 - 1)
    expect(lastSuccess).toBeLessThanOrEqual(Date.now() / 1000 + 1)
  })

  it.skipIf(!!reason)('a dry run counts as a run but moves no rows: nothing was written', async () => {
    const { name, events, run } = setup({ rows: makeRows(12) })
    const metrics = open(events)
    expect(await run({ dryRun: true })).toMatchObject({ status: 'succeeded', fetched: 12, inserted: 12 })
    const result = await scrape(metrics)
    expect(valueOf(result, 'crmsync_runs_total', { source: 'fake', stream: name, status: 'succeeded' })).toBe(1)
    expect(valueOf(result, 'crmsync_rows_total', { source: 'fake', stream: name, outcome: 'fetched' })).toBeUndefined()
    expect(valueOf(result, 'crmsync_running_syncs', { source: 'fake', stream: name })).toBe(0)
  })

  it.skipIf(!!reason)('connector and retry events move request, rate-limit and retry series by their amounts', async () => {
    const events = createEngineEvents()
    const metrics = open(events)
    const request = (operation: string, status: number | 'error', ms: number) =>
      events.emit('connector', { source: 'hubspot', stream: 'contacts', type: 'request', operation, status, ms })
    request('contacts:search', 200, 120)
    request('contacts:search', 200, 80)
    request('contacts:search', 429, 5)
    request('contacts:search', 'error', 30_000)
    events.emit('connector', { source: 'hubspot', stream: 'contacts', type: 'rate_limit_wait', ms: 1500, reason: 'Retry-After 1.5 s' })
    events.emit('connector', { source: 'hubspot', stream: 'contacts', type: 'rate_limit_wait', ms: 500, reason: 'pacer' })
    events.emit('connector', { source: 'hubspot', stream: 'contacts', type: 'retry', operation: 'contacts:search', attempt: 2, reason: '429', waitMs: 1500 })
    events.emit('run:retry', { runId: 7, source: 'hubspot', stream: 'contacts', attempt: 2, waitMs: 1000, error: 'reset by peer 10.0.0.1', code: 'source_unavailable' })
    const result = await scrape(metrics)
    const op = { source: 'hubspot', operation: 'contacts:search' }
    expect(valueOf(result, 'crmsync_source_requests_total', { ...op, status: '200' })).toBe(2)
    expect(valueOf(result, 'crmsync_source_requests_total', { ...op, status: '429' })).toBe(1)
    expect(valueOf(result, 'crmsync_source_requests_total', { ...op, status: 'error' })).toBe(1)
    expect(valueOf(result, 'crmsync_source_request_duration_seconds_count', op)).toBe(4)
    expect(valueOf(result, 'crmsync_source_request_duration_seconds_sum', op)).toBeCloseTo(30.205, 6)
    expect(valueOf(result, 'crmsync_source_request_duration_seconds_bucket', { ...op, le: '0.1' })).toBe(2)
    expect(valueOf(result, 'crmsync_rate_limit_wait_seconds_total', { source: 'hubspot' })).toBeCloseTo(2, 6)
    expect(valueOf(result, 'crmsync_rate_limit_waits_total', { source: 'hubspot' })).toBe(2)
    expect(valueOf(result, 'crmsync_source_request_retries_total', op)).toBe(1)
    expect(valueOf(result, 'crmsync_run_retries_total', { source: 'hubspot', stream: 'contacts', code: 'source_unavailable' })).toBe(1)
    // messages and addresses never become label values
    const values = [...result.families.values()].flatMap((f) => f.samples.flatMap((s) => Object.values(s.labels)))
    expect(values.join('\n')).not.toMatch(/10\.0\.0\.1|Retry-After|pacer|\b7\b/)
  })

  it.skipIf(!!reason)('the running gauge counts only runs that started, and never goes below zero', async () => {
    const events = createEngineEvents()
    const metrics = open(events)
    const labels = { source: 'fake', stream: 'busy' }
    const summary = (runId: number | null, status: RunSummary['status']): RunSummary => ({
      ...{ runId, source: 'fake', stream: 'busy', mode: 'incremental', status, fetched: 0, inserted: 0, updated: 0 },
      ...{ unchanged: 0, rejected: 0, coerced: 0, deleted: 0, cursorFrom: null, cursorTo: null, durationMs: 5, error: null },
      ...{ errorCode: null, dryRun: false, attempts: 1 },
    })
    events.emit('run:start', { runId: 41, ...labels, mode: 'incremental', trigger: 'test', reason: 'test' })
    // a second run of the busy stream was skipped: it never started, so it ends nothing
    events.emit('run:end', { summary: summary(null, 'skipped') })
    expect(valueOf(await scrape(metrics), 'crmsync_running_syncs', labels)).toBe(1)
    events.emit('run:end', { summary: summary(41, 'succeeded') })
    events.emit('run:end', { summary: summary(41, 'succeeded') })
    const result = await scrape(metrics)
    expect(valueOf(result, 'crmsync_running_syncs', labels)).toBe(0)
    expect(valueOf(result, 'crmsync_runs_total', { ...labels, status: 'skipped' })).toBe(1)
  })

  it.skipIf(!!reason)('with runHistory "warehouse", runs, rows and durations come from crmsync.sync_runs, whoever made them', async () => {
    const { c, name, events, run } = setup({ rows: makeRows(25) })
    // the scraping process hears none of these runs: another process made them
    const metrics = open(createEngineEvents(), { runHistory: 'warehouse' })
    const labels = { source: 'fake', stream: name }
    c.inject = (row) => (row.id === 'r00003' ? badCursor(row) : row.id === 'r00005' ? { values: { ...row, amount: 'twelve' }, raw: { ...row } } : undefined)
    const runs: RunSummary[] = [await run()]
    expect(runs[0]).toMatchObject({ status: 'partial', rejected: 1, coerced: 1 })
    c.inject = undefined
    c.rows.delete('r00010')
    runs.push(await run({ flags: { full: true } }))
    expect(runs.map((r) => r.status)).toEqual(['partial', 'succeeded'])
    // a run in progress counts its committed rows, not yet as a run
    const { rows } = await db.warehouse.query<{ id: number }>(
      `INSERT INTO crmsync.sync_runs (source, stream, mode, fetched, inserted) VALUES ('fake', $1, 'incremental', 7, 7) RETURNING id`,
      [name],
    )
    const result = await scrape(metrics)
    for (const outcome of ROW_OUTCOMES)
      expect(valueOf(result, 'crmsync_rows_total', { ...labels, outcome }) ?? 0, outcome).toBe(sumOf(runs, outcome) + (outcome === 'fetched' || outcome === 'inserted' ? 7 : 0))
    expect(valueOf(result, 'crmsync_rejects_total', labels)).toBe(1)
    expect(valueOf(result, 'crmsync_coerced_total', labels)).toBe(1)
    expect(valueOf(result, 'crmsync_runs_total', { ...labels, status: 'partial' })).toBe(1)
    expect(valueOf(result, 'crmsync_runs_total', { ...labels, status: 'succeeded' })).toBe(1)
    expect(valueOf(result, 'crmsync_runs_total', { ...labels, status: 'running' })).toBeUndefined()
    expect(valueOf(result, 'crmsync_run_duration_seconds_count', { ...labels, status: 'succeeded' })).toBe(1)
    expect(valueOf(result, 'crmsync_run_duration_seconds_sum', { ...labels, status: 'succeeded' })).toBeCloseTo(runs[1].durationMs / 1000, 3)
    expect(valueOf(result, 'crmsync_run_duration_seconds_bucket', { ...labels, status: 'succeeded', le: '+Inf' })).toBe(1)

    // the running run ends; then history is deleted: a counter must never go down
    await db.warehouse.query(`UPDATE crmsync.sync_runs SET status = 'failed', duration_ms = 90000, fetched = 9 WHERE id = $1`, [rows[0].id])
    const ended = await scrape(metrics)
    expect(valueOf(ended, 'crmsync_runs_total', { ...labels, status: 'failed' })).toBe(1)
    expect(valueOf(ended, 'crmsync_rows_total', { ...labels, outcome: 'fetched' })).toBe(sumOf(runs, 'fetched') + 9)
    expect(valueOf(ended, 'crmsync_run_duration_seconds_bucket', { ...labels, status: 'failed', le: '60' })).toBe(0)
    expect(valueOf(ended, 'crmsync_run_duration_seconds_bucket', { ...labels, status: 'failed', le: '120' })).toBe(1)
    await db.warehouse.query(`DELETE FROM crmsync.sync_runs WHERE stream = $1 AND status = 'partial'`, [name])
    const pruned = await scrape(metrics)
    expect(valueOf(pruned, 'crmsync_runs_total', { ...labels, status: 'partial' })).toBe(1)
    expect(valueOf(pruned, 'crmsync_rows_total', { ...labels, outcome: 'fetched' })).toBe(sumOf(runs, 'fetched') + 9)
    // and what happens after the deletion still counts
    runs.push(await run())
    const later = await scrape(metrics)
    expect(valueOf(later, 'crmsync_runs_total', { ...labels, status: 'succeeded' })).toBe(2)
  })

  it.skipIf(!!reason)('scrape-time gauges read pool stats, breakers, alerts and last successes from the warehouse', async () => {
    const warehouse = db.warehouse
    await warehouse.query(
      `INSERT INTO crmsync.circuit_breakers (source, state) VALUES ('hubspot', 'open'), ('salesrabbit', 'half_open'), ('salespro', 'closed')`,
    )
    const alert = (rule: string, key: string, severity: string, status: string) =>
      warehouse.query(`INSERT INTO crmsync.alerts (rule, dedupe_key, severity, status, title, message) VALUES ($1, $2, $3, $4, 't', 'm')`, [rule, key, severity, status])
    await alert('stale_stream', 'stale:a', 'warning', 'open')
    await alert('stale_stream', 'stale:b', 'warning', 'open')
    await alert('consecutive_failures', 'fail:a', 'critical', 'acknowledged')
    await alert('consecutive_failures', 'fail:b', 'critical', 'resolved')
    await warehouse.query(
      `INSERT INTO crmsync.stream_state (source, stream, last_success_at) VALUES ('hubspot', 'deals', '2024-05-01T00:00:00Z')`,
    )
    const metrics = open(createEngineEvents())
    // a session held open: the pool shows a connection in use
    const session = await warehouse.session()
    const result = await scrape(metrics).finally(() => session.release())
    const stats = warehouse.poolStats()
    expect(valueOf(result, 'crmsync_pool_connections', { state: 'max' })).toBe(stats.max)
    expect(valueOf(result, 'crmsync_pool_connections', { state: 'in_use' })).toBeGreaterThanOrEqual(1)
    expect(valueOf(result, 'crmsync_pool_connections', { state: 'size' })).toBeLessThanOrEqual(stats.max)
    expect(valueOf(result, 'crmsync_pool_connections', { state: 'waiting' })).toBe(0)
    expect(valueOf(result, 'crmsync_circuit_breaker_state', { source: 'hubspot' })).toBe(2)
    expect(valueOf(result, 'crmsync_circuit_breaker_state', { source: 'salesrabbit' })).toBe(1)
    expect(valueOf(result, 'crmsync_circuit_breaker_state', { source: 'salespro' })).toBe(0)
    expect(valueOf(result, 'crmsync_alerts', { rule: 'stale_stream', severity: 'warning', status: 'open' })).toBe(2)
    expect(valueOf(result, 'crmsync_alerts', { rule: 'consecutive_failures', severity: 'critical', status: 'acknowledged' })).toBe(1)
    expect(valueOf(result, 'crmsync_alerts', { status: 'resolved' })).toBeUndefined()
    expect(valueOf(result, 'crmsync_stream_last_success_timestamp_seconds', { source: 'hubspot', stream: 'deals' })).toBe(
      Date.parse('2024-05-01T00:00:00Z') / 1000,
    )
    expect(valueOf(result, 'crmsync_warehouse_up')).toBe(1)

    // resolving alerts and closing a breaker show at the next scrape; a combination seen before drops to 0
    await warehouse.query(`UPDATE crmsync.alerts SET status = 'resolved' WHERE rule = 'stale_stream'`)
    await warehouse.query(`UPDATE crmsync.circuit_breakers SET state = 'closed' WHERE source = 'hubspot'`)
    const later = await scrape(metrics)
    expect(valueOf(later, 'crmsync_alerts', { rule: 'stale_stream', status: 'open' })).toBe(0)
    expect(valueOf(later, 'crmsync_circuit_breaker_state', { source: 'hubspot' })).toBe(0)
    await warehouse.query(`DELETE FROM crmsync.alerts`)
    await warehouse.query(`DELETE FROM crmsync.circuit_breakers`)
  })

  it.skipIf(!!reason)('a scrape while the warehouse is locked answers in time with the last values, then recovers', async () => {
    await db.warehouse.query(`INSERT INTO crmsync.circuit_breakers (source, state) VALUES ('hubspot', 'open')`)
    const metrics = open(createEngineEvents(), { timeoutMs: 300 })
    // an unlocked read can outlast 300 ms on a loaded machine too: scrape until it has answered,
    // and count the errors from there
    await expect.poll(async () => valueOf(await scrape(metrics), 'crmsync_circuit_breaker_state', { source: 'hubspot' }), { timeout: 60_000 }).toBe(2)
    await expect.poll(async () => valueOf(await scrape(metrics), 'crmsync_warehouse_up'), { timeout: 60_000 }).toBe(1)
    const before = await scrape(metrics)
    const errors = (result: ValidationResult, query: string) =>
      (valueOf(result, 'crmsync_scrape_errors_total', { query }) ?? 0) - (valueOf(before, 'crmsync_scrape_errors_total', { query }) ?? 0)
    // PostgreSQL: the scrape's SELECT waits on the lock; PGlite: on its one connection
    let release = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const session = await db.warehouse.session()
    let locked = () => {}
    const isLocked = new Promise<void>((resolve) => (locked = resolve))
    const holding = session.transaction(async (tx) => {
      await tx.query(`LOCK TABLE crmsync.circuit_breakers IN ACCESS EXCLUSIVE MODE`)
      locked()
      await gate
    })
    await isLocked
    // the lock is held until release(): a scrape that waited on it would never answer, so
    // answering at all is the behaviour (waiting on the lock would hang until the test timed out)
    const during = await scrape(metrics)
    expect(valueOf(during, 'crmsync_warehouse_up')).toBe(0)
    expect(valueOf(during, 'crmsync_circuit_breaker_state', { source: 'hubspot' })).toBe(2)
    expect(errors(during, 'circuit_breakers')).toBe(1)
    // every scrape that cannot read counts, though only one read waits on the warehouse
    const again = await scrape(metrics)
    expect(errors(again, 'circuit_breakers')).toBe(2)
    expect(errors(again, 'stream_state')).toBe(2)
    release()
    await holding
    await session.release()
    // the read left running now finishes (when, depends on the machine), and a later scrape gets its answer
    await expect.poll(async () => valueOf(await scrape(metrics), 'crmsync_warehouse_up'), { timeout: 60_000 }).toBe(1)
    const after = await scrape(metrics)
    expect(valueOf(after, 'crmsync_warehouse_up')).toBe(1)
    // the late answer of the read that was left running counted nothing more: only scrapes that gave up count
    expect(errors(after, 'circuit_breakers')).toBeGreaterThanOrEqual(2)
    expect(valueOf(await scrape(metrics), 'crmsync_scrape_errors_total', { query: 'circuit_breakers' })).toBe(valueOf(after, 'crmsync_scrape_errors_total', { query: 'circuit_breakers' }))
    await db.warehouse.query(`DELETE FROM crmsync.circuit_breakers`)
  })

  it.skipIf(!!reason)('a scrape with the warehouse closed does not throw: it keeps the last values and counts errors', async () => {
    const own = await createTestWarehouse(kind)
    await own.warehouse.query(`INSERT INTO crmsync.circuit_breakers (source, state) VALUES ('salespro', 'half_open')`)
    const metrics = createMetrics({ events: createEngineEvents(), warehouse: own.warehouse, reuseMs: 0 })
    opened.push(metrics)
    expect(valueOf(await scrape(metrics), 'crmsync_circuit_breaker_state', { source: 'salespro' })).toBe(1)
    await own.drop()
    for (const n of [1, 2]) {
      const result = await scrape(metrics)
      expect(valueOf(result, 'crmsync_warehouse_up')).toBe(0)
      expect(valueOf(result, 'crmsync_circuit_breaker_state', { source: 'salespro' })).toBe(1)
      for (const query of ['circuit_breakers', 'alerts', 'stream_state'])
        expect(valueOf(result, 'crmsync_scrape_errors_total', { query })).toBe(n)
    }
  })

  it.skipIf(!!reason)('every crmsync metric says what it measures, and the process metrics are there', async () => {
    const metrics = open(createEngineEvents())
    const result = await scrape(metrics)
    const names = [...result.families.keys()]
    for (const name of [
      'crmsync_runs_total',
      'crmsync_rows_total',
      'crmsync_rejects_total',
      'crmsync_coerced_total',
      'crmsync_run_duration_seconds',
      'crmsync_page_duration_seconds',
      'crmsync_running_syncs',
      'crmsync_source_requests_total',
      'crmsync_source_request_duration_seconds',
      'crmsync_rate_limit_wait_seconds_total',
      'crmsync_run_retries_total',
      'crmsync_pool_connections',
      'crmsync_circuit_breaker_state',
      'crmsync_alerts',
      'crmsync_stream_last_success_timestamp_seconds',
      'crmsync_scrape_errors_total',
      'crmsync_process_resident_memory_bytes',
      'crmsync_nodejs_heap_size_used_bytes',
      'crmsync_nodejs_eventloop_lag_seconds',
    ])
      expect(names).toContain(name)
    for (const family of result.families.values()) {
      expect(family.name).toMatch(/^crmsync_/)
      expect(family.help?.length, family.name).toBeGreaterThan(10)
    }
    expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8')
  })
})

describe('the /metrics listener of processes without a web app', () => {
  it('answers GET /metrics with valid exposition and its content type, and 404 elsewhere', async () => {
    const db = await createTestWarehouse('pglite')
    const metrics = createMetrics({ events: createEngineEvents(), warehouse: db.warehouse, processLabel: 'worker' })
    const listener = await listenForScrapes({ metrics, port: 0 })
    try {
      const response = await fetch(listener.url)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toBe(metrics.contentType)
      const result = validateExposition(await response.text())
      expect(result.errors).toEqual([])
      expect(valueOf(result, 'crmsync_warehouse_up', { process: 'worker' })).toBe(1)
      expect((await fetch(listener.url.replace('/metrics', '/'))).status).toBe(404)
      expect((await fetch(listener.url, { method: 'POST' })).status).toBe(405)
    } finally {
      await listener.close()
      metrics.close()
      await db.drop()
    }
  })
})

describe('serve exports the runs of every process', () => {
  const reason = postgresUnavailable()
  it.skipIf(!!reason)(`a run made by a separate CLI process appears in a running server's /metrics ${reason ?? ''}`, async () => {
    const db = await createTestWarehouse('postgres')
    const source = await startSalesRabbit({ rows: 120 })
    const env = cliEnv({ DATABASE_URL: db.url, SALESRABBIT_API_TOKEN: 'metrics-test-token' })
    const server = await startServeCli(env)
    try {
      const scrapeServe = async () => {
        const result = validateExposition(await (await fetch(server.at('/metrics'))).text())
        expect(result.errors).toEqual([])
        return result
      }
      const labels = { source: 'salesrabbit', stream: 'leads', process: 'serve' }
      expect(valueOf(await scrapeServe(), 'crmsync_runs_total', { ...labels, status: 'succeeded' })).toBeUndefined()
      const sync = await runCli(['sync', 'salesrabbit', 'leads', '--json'], { ...env, ...source.emulator.env })
      expect(sync.code, sync.stderr).toBe(0)
      const [summary] = JSON.parse(sync.stdout).runs
      const seen = await waitFor(async () => {
        const result = await scrapeServe()
        return valueOf(result, 'crmsync_runs_total', { ...labels, status: 'succeeded' }) === 1 ? result : undefined
      }, 'the CLI run in serve\'s /metrics', 60_000)
      expect(valueOf(seen, 'crmsync_rows_total', { ...labels, outcome: 'fetched' })).toBe(summary.fetched)
      expect(valueOf(seen, 'crmsync_rows_total', { ...labels, outcome: 'inserted' })).toBe(summary.inserted)
      expect(valueOf(seen, 'crmsync_run_duration_seconds_count', { ...labels, status: 'succeeded' })).toBe(1)
    } finally {
      await server.stop()
      await source.emulator.close()
      await db.drop()
    }
  })
})
