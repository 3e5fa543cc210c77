import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSalesProEmulator } from '../../emulators/salespro/index.ts'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { cliEnv, runCli } from '../helpers/cli.ts'
import { createEmptyDatabase, postgresUnavailable } from '../helpers/warehouses.ts'

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
