import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runSync } from '../../src/engine/run-sync.ts'
import { SyncError } from '../../src/errors.ts'
import { silentLogger } from '../../src/log.ts'
import type { Warehouse } from '../../src/warehouse/types.ts'
import { cliEnv, collect, runCli, startCli } from '../helpers/cli.ts'
import { createFakeConnector, createFakeStream, makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, warehouseForCli } from '../helpers/warehouses.ts'

const syncOnce = async (warehouse: Warehouse, c: FakeSourceControls, retry?: () => number) => {
  const connector = { ...createFakeConnector(c, [createFakeStream(c, { name: 'customer' })]), name: 'salespro' }
  const settings = { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10 }
  return (await runSync([{ connector, config: {}, settings }], { warehouse, log: silentLogger(), events: createEngineEvents(), retry })).runs[0]
}

/** `crmsync history --run ID --logs` end to end (the CLI as a child process), over a run that retried once. */
describe.each(WAREHOUSE_KINDS)('crmsync history --logs over %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let env: NodeJS.ProcessEnv
  let drop = async () => {}
  let runId = 0

  beforeAll(async () => {
    if (reason) return
    ;({ env, drop } = await warehouseForCli(kind, async (warehouse) => {
      let failed = false
      const c: FakeSourceControls = { rows: makeRows(25), pagesServed: 0 }
      c.beforePage = (pageNo) => {
        if (pageNo !== 2 || failed) return
        failed = true
        throw new SyncError('source_unavailable', 'connection reset by emulated fault')
      }
      const summary = await syncOnce(warehouse, c, () => 5)
      expect(summary.status).toBe('succeeded')
      runId = summary.runId as number
    }))
  })
  afterAll(async () => drop())

  it.skipIf(!!reason)(`prints the run's lines: its start, its retry with the wait, its end ${reason ?? ''}`, async () => {
    const { code, stdout, stderr } = await runCli(['history', '--run', String(runId), '--logs'], env)
    expect(code, stderr).toBe(0)
    const lines = stdout.trim().split('\n')
    expect(lines[0]).toBe(`run ${runId}: salespro.customer full, succeeded`)
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}  info   sync started: /)
    const retry = lines.find((l) => l.includes('  warn   read failed (connection reset by emulated fault); resuming from the last committed page in 0 s  ('))
    for (const field of ['attempt=2', 'waitMs=5', 'code=source_unavailable']) expect(retry).toContain(field)
    expect(lines.at(-1)).toMatch(/  info   sync succeeded in [\d.]+ s: 25 fetched, 25 inserted/)
  })

  it.skipIf(!!reason)(`--json: the lines as one document ${reason ?? ''}`, async () => {
    const { code, stdout } = await runCli(['history', '--run', String(runId), '--logs', '--json'], env)
    expect(code).toBe(0)
    const log = JSON.parse(stdout) as { runId: number; status: string; lines: { seq: number; level: string; message: string; fields: unknown }[] }
    expect(log).toMatchObject({ runId, status: 'succeeded' })
    expect(log.lines.map((l) => l.seq)).toEqual(log.lines.map((_, i) => i + 1))
    expect(log.lines.find((l) => l.level === 'warn')?.fields).toEqual({ attempt: 2, waitMs: 5, code: 'source_unavailable' })
  })

  it.skipIf(!!reason)(`refuses --logs without --run, and --follow without --logs, saying what to write ${reason ?? ''}`, async () => {
    const noRun = await runCli(['history', '--logs'], env)
    expect(noRun.code).toBe(2)
    expect(noRun.stderr).toContain('--logs needs --run ID')
    const noLogs = await runCli(['history', '--run', String(runId), '--follow'], env)
    expect(noLogs.code).toBe(2)
    expect(noLogs.stderr).toContain('--follow goes with --logs')
  })
})

// PostgreSQL only: the embedded warehouse is one process's at a time, so no CLI can read it beside the run
describe('crmsync history --logs --follow beside a running sync', () => {
  const reason = postgresUnavailable()
  let db: Awaited<ReturnType<typeof createTestWarehouse>>
  beforeAll(async () => {
    if (!reason) db = await createTestWarehouse('postgres')
  })
  afterAll(async () => db?.drop())

  it.skipIf(!!reason)(`prints the lines as the run writes them, and ends when the run ends ${reason ?? ''}`, async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const c: FakeSourceControls = { rows: makeRows(25), pagesServed: 0, beforePage: (pageNo) => (pageNo === 2 ? held : undefined) }
    const running = syncOnce(db.warehouse, c)
    const runningId = async () => (await db.warehouse.query<{ id: string }>(`SELECT id FROM crmsync.sync_runs WHERE status = 'running'`)).rows[0]?.id
    await expect.poll(runningId, { timeout: 60_000, interval: 200 }).toBeDefined()
    const child = startCli(['history', '--run', String(await runningId()), '--logs', '--follow'], cliEnv({ DATABASE_URL: db.url }))
    let seen = ''
    child.stdout?.on('data', (d) => (seen += d))
    const done = collect(child)
    await expect.poll(() => seen, { timeout: 60_000, interval: 200 }).toMatch(/info   sync started/)
    expect(seen).not.toMatch(/sync succeeded/)
    release()
    expect((await running).status).toBe('succeeded')
    const result = await done
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/info   sync succeeded in [\d.]+ s: 25 fetched/)
    expect(result.stderr).toContain('ended: succeeded')
  })
})
