import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runSync } from '../../src/engine/run-sync.ts'
import { SyncError } from '../../src/errors.ts'
import { silentLogger } from '../../src/log.ts'
import { attachAutomation } from '../../src/ops/automation/automation.ts'
import { createFakeConnector, createFakeStream, makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

describe.each(WAREHOUSE_KINDS)('automation engine on %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  beforeAll(async () => {
    if (!reason) db = await createTestWarehouse(kind)
  })
  afterAll(async () => db?.drop())

  it.skipIf(!!reason)(`opens the breaker after 5 source failures in 60 s, refuses runs, probes half-open after 60 s and closes after 3 successes ${reason ?? ''}`, async () => {
    let clock = Date.UTC(2026, 0, 1)
    const events = createEngineEvents()
    const automation = attachAutomation({ warehouse: db.warehouse, events, log: silentLogger(), now: () => clock })
    const controls: FakeSourceControls = { rows: makeRows(3), pagesServed: 0 }
    let broken = true
    controls.beforePage = () => {
      if (broken) throw new SyncError('source_unavailable', 'HTTP 503 from the emulated source')
    }
    const streams = Array.from({ length: 7 }, (_, i) => createFakeStream(controls, { name: `breaker_${i}` }))
    const sync = () =>
      runSync([{ connector: createFakeConnector(controls, streams), config: {}, settings: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10 } }], {
        warehouse: db.warehouse,
        log: silentLogger(),
        events,
        gate: automation.gate,
      }).then((r) => r.runs)

    const first = await sync()
    expect(first.map((r) => r.status)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'failed', 'failed'])
    // refused by the open breaker: failed runs in the history, which do not feed the breaker
    expect(first[5]).toMatchObject({ errorCode: 'circuit_open' })
    expect(first[5].runId).toBeGreaterThan(0)
    expect(first[5].error).toMatch(/circuit breaker of fake is open/)

    clock += 30_000
    broken = false
    expect((await sync()).every((r) => r.status === 'failed' && r.errorCode === 'circuit_open')).toBe(true)

    clock += 31_000
    const probe = await sync()
    expect(probe.map((r) => r.status)).toEqual(Array(7).fill('succeeded'))
    const breaker = await db.warehouse.query<{ state: string }>(`SELECT state FROM crmsync.circuit_breakers WHERE source = 'fake'`)
    expect(breaker.rows[0].state).toBe('closed')
    await automation.close()
    const actions = await db.warehouse.query<{ action: string }>(`SELECT action FROM crmsync.automation_events ORDER BY id`)
    const list = actions.rows.map((r) => r.action)
    expect(list.filter((a) => a === 'open_circuit')).toHaveLength(1)
    expect(list.filter((a) => a === 'refuse_run')).toHaveLength(9)
    expect(list).toContain('half_open_circuit')
    expect(list.at(-1)).toBe('close_circuit')
  })

  it.skipIf(!!reason)('a failed half-open probe reopens the breaker', async () => {
    let clock = Date.UTC(2026, 1, 1)
    const events = createEngineEvents()
    const automation = attachAutomation({ warehouse: db.warehouse, events, log: silentLogger(), now: () => clock, policy: { failureThreshold: 2, windowSeconds: 60, openSeconds: 10, successThreshold: 2 } })
    const controls: FakeSourceControls = { rows: makeRows(2), pagesServed: 0, beforePage: () => Promise.reject(new SyncError('rate_limited', '429')) }
    const stream = createFakeStream(controls, { name: 'reopen' })
    const connector = { ...createFakeConnector(controls, [stream]), name: 'fake2' }
    const sync = () => runSync([{ connector, config: {}, settings: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10 } }], { warehouse: db.warehouse, log: silentLogger(), events, gate: automation.gate }).then((r) => r.runs[0])
    await sync()
    await sync()
    expect(await sync()).toMatchObject({ status: 'failed', errorCode: 'circuit_open' })
    clock += 10_000
    expect((await sync()).status).toBe('failed')
    await automation.close()
    const state = await db.warehouse.query<{ state: string }>(`SELECT state FROM crmsync.circuit_breakers WHERE source = 'fake2'`)
    expect(state.rows[0].state).toBe('open')
  })

  it.skipIf(!!reason)('self-healing marks a run whose process died, and leaves live ones alone', async () => {
    const automation = attachAutomation({ warehouse: db.warehouse, events: createEngineEvents(), log: silentLogger() })
    const { hostname } = await import('node:os')
    const stale = `now() - interval '5 minutes'`
    const { rows } = await db.warehouse.query<{ id: number }>(
      `INSERT INTO crmsync.sync_runs (source, stream, mode, heartbeat_at, host, pid) VALUES ('fake', 'healed', 'full', ${stale}, 'gone-host', 999999) RETURNING id`,
    )
    // this process's own run: alive, whatever its heartbeat says
    await db.warehouse.query(`INSERT INTO crmsync.sync_runs (source, stream, mode, heartbeat_at, host, pid) VALUES ('fake', 'mine', 'full', ${stale}, $1, $2)`, [hostname(), process.pid])
    const live = ['healed', 'mine']
    // on a server, a run whose process holds the stream lock is alive too (PGlite has one connection: its process lock covers this)
    const holder = await db.warehouse.session()
    if (kind === 'postgres') {
      const { tryStreamLock } = await import('../../src/warehouse/sql/locks.ts')
      expect(await tryStreamLock(holder, 'fake', 'alive')).toBe(true)
      await db.warehouse.query(`INSERT INTO crmsync.sync_runs (source, stream, mode, heartbeat_at, host, pid) VALUES ('fake', 'alive', 'full', ${stale}, 'other-host', 4242)`)
      live.push('alive')
    }
    const healed = await automation.heal(60)
    await holder.release()
    expect(healed).toEqual([{ source: 'fake', stream: 'healed', runId: rows[0].id, status: 'failed' }])
    const statuses = await db.warehouse.query<{ stream: string; status: string }>(`SELECT stream, status FROM crmsync.sync_runs WHERE stream = ANY($1) ORDER BY stream`, [live])
    expect(Object.fromEntries(statuses.rows.map((r) => [r.stream, r.status]))).toEqual({ healed: 'failed', mine: 'running', ...(kind === 'postgres' ? { alive: 'running' } : {}) })
    await automation.close()
  })

  it.skipIf(!!reason)('marking a dead run never turns away a run of its stream starting at that moment', async () => {
    // the sweep used to take the stream's lock to prove the run dead; a run starting then found it busy
    const automation = attachAutomation({ warehouse: db.warehouse, events: createEngineEvents(), log: silentLogger() })
    const controls: FakeSourceControls = { rows: makeRows(3), pagesServed: 0 }
    const stream = createFakeStream(controls, { name: 'swept' })
    const statuses: string[] = []
    for (let i = 0; i < 20; i++) {
      await db.warehouse.query(`INSERT INTO crmsync.sync_runs (source, stream, mode, heartbeat_at, host, pid) VALUES ('fake', 'swept', 'full', now() - interval '5 minutes', 'gone-host', 999999)`)
      const [, { runs }] = await Promise.all([
        automation.heal(60),
        runSync([{ connector: createFakeConnector(controls, [stream]), config: {}, settings: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10 } }], {
          warehouse: db.warehouse,
          log: silentLogger(),
          events: createEngineEvents(),
        }),
      ])
      statuses.push(runs[0].status)
    }
    expect(statuses.filter((s) => s !== 'succeeded')).toEqual([])
    // every dead run was marked, by the sweep or by the run itself
    expect((await db.warehouse.query(`SELECT 1 FROM crmsync.sync_runs WHERE stream = 'swept' AND status = 'running'`)).rows).toHaveLength(0)
    await automation.close()
  })
})
