import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSalesProEmulator } from '../../emulators/salespro/index.ts'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { silentLogger } from '../../src/log.ts'
import { loadCheckedTarget } from '../../src/worker/checked-target.ts'
import { cliEnv, runCli } from '../helpers/cli.ts'
import { authed, createTestApp, testTargets, waitFor } from '../helpers/server.ts'
import { createEmptyDatabase, createTestWarehouse, postgresUnavailable } from '../helpers/warehouses.ts'

/**
 * A warehouse remembers which source's data it holds: after a sync of one SalesPro (a demo's
 * emulator, say), a sync configured against another one's data stops with exit 2 naming the flag,
 * instead of reading nothing past the first one's cursors and exiting 0.
 */
describe.skipIf(postgresUnavailable())('the source a warehouse holds', () => {
  let first: RunningEmulator
  let second: RunningEmulator
  let database: { url: string; drop(): Promise<void> }
  let base: NodeJS.ProcessEnv
  beforeAll(async () => {
    ;[first, second, database] = await Promise.all([
      startSalesProEmulator({ rows: 30, seed: 1, only: ['customer'] }),
      startSalesProEmulator({ rows: 60, seed: 7, only: ['customer'] }),
      createEmptyDatabase(),
    ])
    base = cliEnv({ DATABASE_URL: database.url })
  })
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close(), database?.drop()])
  })

  it('stops a sync against another source’s data, exit 2 naming --accept-new-source; the flag records the new one', async () => {
    const one = await runCli(['sync', 'salespro', 'customer', '--json'], { ...base, ...first.env })
    expect(one.code, one.stderr).toBe(0)
    const other = await runCli(['sync', 'salespro', 'customer', '--json'], { ...base, ...second.env })
    expect(other.code).toBe(2)
    expect(other.stderr).toContain(`the warehouse holds salespro data from athena ${first.env.SALESPRO_ATHENA_ENDPOINT}`)
    expect(other.stderr).toContain('--accept-new-source')
    expect(JSON.parse(other.stdout).error.code).toBe('config_invalid')
    // the same source again is no change
    expect((await runCli(['sync', 'salespro', 'customer'], { ...base, ...first.env })).code).toBe(0)
    const accepted = await runCli(['sync', 'salespro', 'customer', '--accept-new-source'], { ...base, ...second.env })
    expect(accepted.code, accepted.stderr).toBe(0)
    expect(accepted.stderr).toContain('recorded the new source')
    expect((await runCli(['sync', 'salespro', 'customer'], { ...base, ...second.env })).code).toBe(0)
    expect((await runCli(['sync', 'salespro', 'customer'], { ...base, ...first.env })).code).toBe(2)
  })
})

/** The dashboard's sync and a worker's job check the source as `crmsync sync` does. */
describe.skipIf(postgresUnavailable())('the source a warehouse holds, for the dashboard and the workers', () => {
  let first: RunningEmulator
  let second: RunningEmulator
  let db: Awaited<ReturnType<typeof createTestWarehouse>>
  beforeAll(async () => {
    ;[first, second, db] = await Promise.all([
      startSalesProEmulator({ rows: 30, seed: 1, only: ['customer'] }),
      startSalesProEmulator({ rows: 60, seed: 7, only: ['customer'] }),
      createTestWarehouse('postgres'),
    ])
    const { app } = createTestApp(db.warehouse, { salespro: first })
    // one stream: a whole source's sync goes on with its other (empty) streams after the first ends,
    // side by side, and its runs would be counted below as ones the refused sync started
    const started = await app.request('/api/sync', { method: 'POST', headers: authed(), body: JSON.stringify({ source: 'salespro', streams: ['customer'] }) })
    expect(started.status).toBe(202)
    await waitFor(async () => (await db.warehouse.query(`SELECT 1 FROM crmsync.sync_runs WHERE source = 'salespro' AND status <> 'running'`)).rows.length, 'the first sync')
  })
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close(), db?.drop()])
  })

  it('the dashboard refuses a sync of another source’s data with a 400 naming the flag, and starts nothing', async () => {
    const { app } = createTestApp(db.warehouse, { salespro: second })
    const refused = await app.request('/api/sync', { method: 'POST', headers: authed(), body: JSON.stringify({ source: 'salespro' }) })
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain('--accept-new-source')
    expect((await db.warehouse.query(`SELECT stream, status FROM crmsync.sync_runs`)).rows).toEqual([{ stream: 'customer', status: 'succeeded' }])
  })

  it('a worker’s job against another source’s data does not run: it is a failed start in the history, naming the flag', async () => {
    const deps = { warehouse: db.warehouse, events: createEngineEvents(), log: silentLogger(), loadTarget: testTargets({ salespro: second }).loadTarget }
    const target = await loadCheckedTarget(deps, { source: 'salespro', stream: 'customer', mode: 'incremental', trigger: 'schedule' }, 'schedule', 'worker-1')
    expect(target).toBeUndefined()
    const { rows } = await db.warehouse.query<{ status: string; error: string; worker_id: string }>(`SELECT status, error, worker_id FROM crmsync.sync_runs ORDER BY id DESC LIMIT 1`)
    expect(rows[0]).toMatchObject({ status: 'failed', worker_id: 'worker-1', error: expect.stringContaining('--accept-new-source') })
    // the same source is no change: the job's target comes back
    const same = { ...deps, loadTarget: testTargets({ salespro: first }).loadTarget }
    expect(await loadCheckedTarget(same, { source: 'salespro', stream: 'customer', mode: 'incremental', trigger: 'schedule' }, 'schedule')).toBeDefined()
  })
})
