import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineEvents } from '../../src/engine/events.ts'
import { silentLogger } from '../../src/log.ts'
import { attachAlerts, type AlertSystem } from '../../src/ops/alerts/index.ts'
import { attachAutomation, type Automation } from '../../src/ops/automation/automation.ts'
import { startServer, type RunningServer } from '../../src/server/start-server.ts'
import { seedRun } from '../helpers/alerts.ts'
import { TEST_TOKEN, testTargets, waitFor } from '../helpers/server.ts'
import { makeRows } from '../helpers/fake-source.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

/**
 * A run whose process died (kill -9) is ended by whichever crmsync process watches the warehouse:
 * here only `serve` runs. The dead process is a run row left 'running' with nobody holding its
 * stream, exactly what a SIGKILLed sync leaves behind (crash.test.ts kills real ones).
 */
describe.each(WAREHOUSE_KINDS)('dead runs found by serve, on %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let server: RunningServer
  let automation: Automation
  let alerts: AlertSystem
  const events = createEngineEvents()
  const log = silentLogger()
  const fake = { rows: makeRows(20), pagesServed: 0 }

  beforeAll(async () => {
    if (reason) return
    db = await createTestWarehouse(kind)
    automation = attachAutomation({ warehouse: db.warehouse, events, log })
    alerts = attachAlerts({ warehouse: db.warehouse, events, log, config: { file: {}, env: {} } as never })
    const { loadTarget, names } = testTargets({ fake, batchSize: 5 })
    server = await startServer({ warehouse: db.warehouse, events, log, port: 0, token: TEST_TOKEN, loadTarget, sources: names, sweep: (s) => automation.heal(s), sweepEveryMs: 200 })
  })
  afterAll(async () => {
    await server?.close()
    await alerts?.close()
    await automation?.close()
    await db?.drop()
  })

  const api = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${server.url.replace('/monitoring/', '')}${path}`, init)
    return { status: response.status, body: (await response.json()) as any }
  }
  const base = () => server.url.replace('/monitoring/', '')
  const actionHeaders = () => ({ 'content-type': 'application/json', origin: base(), 'x-crmsync-token': TEST_TOKEN })
  const leaveDeadRun = async (stream: string, heartbeatSecondsAgo: number) => {
    await seedRun(db.warehouse, { source: 'fake', stream, status: 'succeeded', minutesAgo: 30 })
    const { rows } = await db.warehouse.query<{ id: number }>(
      `INSERT INTO crmsync.sync_runs (source, stream, mode, status, heartbeat_at, host, pid) VALUES ('fake', $1, 'incremental', 'running', now() - make_interval(secs => $2), 'elsewhere', 999999) RETURNING id`,
      [stream, heartbeatSecondsAgo],
    )
    return rows[0].id
  }

  it.skipIf(!!reason)(`serve alone marks a run with a stale heartbeat failed/abandoned, opens an alert, and Sync now resumes the stream ${reason ?? ''}`, async () => {
    const id = await leaveDeadRun('items', 600)
    const run = await waitFor(async () => {
      const { body } = await api('/api/runs?source=fake')
      const found = body.runs.find((r: any) => (r.id ?? r.runId) === id)
      return found?.status === 'failed' ? found : undefined
    }, 'the sweep to end the dead run', 60_000)
    expect(run.errorCode ?? run.error_code).toBe('abandoned')
    const alert = await waitFor(async () => (await api('/api/alerts')).body.alerts.find((a: any) => a.rule === 'run_abandoned' && a.stream === 'items'), 'the run_abandoned alert', 60_000)
    expect(alert.title).toMatch(/died without finishing/)
    const started = await api('/api/sync', { method: 'POST', headers: actionHeaders(), body: JSON.stringify({ source: 'fake', streams: ['items'] }) })
    expect(started.status).toBe(202)
    await waitFor(async () => (await db.warehouse.query(`SELECT 1 FROM crmsync.sync_runs WHERE stream = 'items' AND status = 'succeeded' AND id > $1`, [id])).rows.length > 0, 'the resumed run to succeed', 60_000)
    // the next successful run resolves the alert
    await alerts.evaluate()
    expect((await api('/api/alerts')).body.alerts.find((a: any) => a.rule === 'run_abandoned' && a.stream === 'items')).toBeUndefined()
  })

  it.skipIf(!!reason)('Stop on a run whose process is gone ends it at once, cancelled, without waiting for a heartbeat', async () => {
    const id = await leaveDeadRun('other', 1)
    const stopped = await api(`/api/runs/${id}/stop`, { method: 'POST', headers: actionHeaders(), body: '{}' })
    expect(stopped).toMatchObject({ status: 200, body: { runId: id, status: 'cancelled' } })
    const row = await db.warehouse.query<{ status: string }>(`SELECT status FROM crmsync.sync_runs WHERE id = $1`, [id])
    expect(row.rows[0].status).toBe('cancelled')
  })
})
