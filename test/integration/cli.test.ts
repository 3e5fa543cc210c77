import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { cliEnv, runCli } from '../helpers/cli.ts'
import { createEmptyDatabase, postgresUnavailable } from '../helpers/warehouses.ts'

const reason = postgresUnavailable()

describe('crmsync CLI', () => {
  let source: SalesProFixture
  let db: { url: string; drop(): Promise<void> } | undefined
  beforeAll(async () => {
    source = await startSalesPro({ rows: 200, seed: 5 })
    if (!reason) db = await createEmptyDatabase()
  })
  afterAll(async () => {
    await source?.emulator.close()
    await db?.drop()
  })

  it.each([
    [['sync'], /name a source/],
    [['sync', 'nosuch'], /unknown source "nosuch"; crmsync knows salespro/],
    // names every object inherits: a lookup on a plain object would find them
    [['sync', 'constructor'], /unknown source "constructor"; crmsync knows salespro/],
    [['sync', '__proto__'], /unknown source "__proto__"; crmsync knows salespro/],
    [['credentials', 'set', 'toString', '--from-env'], /unknown source "toString"/],
    [['sync', 'salespro', '--since', 'yesterday'], /--since must be an ISO-8601 date/],
    [['sync', 'salespro', '--full', '--since', '2024-01-01'], /cannot be combined with --full/],
    [['sync', 'salespro', '--since', '2024-02-01', '--until', '2024-01-01'], /must be before --until/],
    [['sync', 'salespro', '--batch-size', '0'], /--batch-size must be a whole number from 1/],
    [['sync', 'salespro', '--bogus'], /Unknown option '--bogus'/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['emulate', 'nowhere'], /name an emulator/],
  ])('bad usage %j exits 2 with a message naming the problem', async (args, message) => {
    const result = await runCli(args, cliEnv())
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
  })

  it('a source without credentials exits 2 naming every missing variable', async () => {
    const result = await runCli(['sync', 'salespro'], cliEnv())
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/SALESPRO_ACCESS_KEY_ID is not set/)
    expect(result.stderr).toMatch(/SALESPRO_SECRET_ACCESS_KEY is not set/)
    expect(result.stderr).toMatch(/SALESPRO_S3_LOCATION is not set/)
  })

  it('an unknown stream exits 2 and lists the streams there are', async () => {
    const result = await runCli(['sync', 'salespro', 'customers', '--json'], cliEnv({ ...source.emulator.env }))
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).runs[0].error).toMatch(/salespro has no stream "customers"; its streams are customer, credit_application/)
    // and said to a person too, who saw nothing but the exit code
    const human = await runCli(['sync', 'salespro', 'customers'], cliEnv({ ...source.emulator.env }))
    expect(human.code).toBe(2)
    expect(human.stderr).toMatch(/salespro\.customers: salespro has no stream "customers"; its streams are customer, credit_application/)
  })

  it('credentials the source refuses exit 2 with a clear message, and never print the secret', async () => {
    const env = cliEnv({ ...source.emulator.env, SALESPRO_ACCESS_KEY_ID: 'AKIAWRONGKEY0000', SALESPRO_SECRET_ACCESS_KEY: 'wr0ng-s3cret-value-xyz' })
    const result = await runCli(['sync', 'salespro', 'payment', '--json'], env)
    expect(result.code).toBe(2)
    const [run] = JSON.parse(result.stdout).runs
    expect(run).toMatchObject({ status: 'failed', errorCode: 'auth_failed' })
    expect(run.error).toMatch(/Check SALESPRO_ACCESS_KEY_ID and SALESPRO_SECRET_ACCESS_KEY/)
    expect(result.stdout + result.stderr).not.toContain('wr0ng-s3cret-value-xyz')
    expect(result.stdout + result.stderr).not.toContain('AKIAWRONGKEY0000')
  })

  it.skipIf(!!reason)(`init is idempotent, and sync --json exits 0 with the emulator's row counts ${reason ?? ''}`, async () => {
    const env = cliEnv({ ...source.emulator.env, DATABASE_URL: db?.url })
    const first = await runCli(['init'], env)
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/created: migration 0001_init/)
    const second = await runCli(['init', '--json'], env)
    expect(JSON.parse(second.stdout).created).toEqual([])
    const again = await runCli(['init'], env)
    expect(again.stdout).toMatch(/nothing new was created/)

    const dry = await runCli(['sync', 'salespro', 'customer', '--dry-run', '--json'], env)
    expect(dry.code, dry.stderr).toBe(0)
    expect(JSON.parse(dry.stdout).runs[0]).toMatchObject({ dryRun: true, inserted: 200 })
    const sync = await runCli(['sync', 'salespro', '--json'], env)
    expect(sync.code, sync.stderr + sync.stdout).toBe(0)
    const { runs } = JSON.parse(sync.stdout)
    const tables = await source.emulator.tables()
    expect(runs).toHaveLength(7)
    for (const run of runs) {
      expect(Object.keys(run)).toEqual(expect.arrayContaining(['source', 'stream', 'mode', 'status', 'fetched', 'inserted', 'updated', 'unchanged', 'rejected', 'deleted', 'cursorFrom', 'cursorTo', 'durationMs', 'error']))
      expect(run).toMatchObject({ source: 'salespro', status: 'succeeded', mode: 'full', inserted: tables[run.stream], error: null })
    }
    const statusRun = await runCli(['status', '--json'], env)
    const status = JSON.parse(statusRun.stdout)
    expect(Object.fromEntries(status.streams.map((s: { stream: string; rows: number }) => [s.stream, s.rows]))).toEqual(tables)
    const history = JSON.parse((await runCli(['history', '--json', '--limit', '3'], env)).stdout)
    expect(history.runs).toHaveLength(3)
    // a run's last cursor, read from its pages, is the one the sync reported and the stream resumes from
    for (const run of history.runs) {
      // one name for a run's id across --json outputs (history keeps `id` too)
      expect(run.runId).toBe(run.id)
      const synced = runs.find((r: { runId: number }) => r.runId === run.runId)
      expect(run.cursorTo).not.toBeNull()
      expect(run.cursorTo).toEqual(synced.cursorTo)
      expect(run.cursorTo).toEqual(status.streams.find((s: { stream: string }) => s.stream === run.stream).cursor)
    }
  })
})
