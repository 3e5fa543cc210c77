import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSalesProEmulator } from '../../emulators/salespro/index.ts'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { cliEnv, runCli } from '../helpers/cli.ts'

// The embedded warehouse has no autovacuum (PostgreSQL in single-user mode): crmsync vacuums what
// a command wrote when it lets the warehouse go. No PostgreSQL here: the embedded warehouse's case.
describe('the embedded warehouse after a full pass', () => {
  let emulator: RunningEmulator
  beforeAll(async () => {
    emulator = await startSalesProEmulator({ rows: 2000, seed: 9, only: ['customer'] })
  })
  afterAll(async () => {
    await emulator?.close()
  })

  it("keeps no space for the pass's keys once the pass ended, and knows its tables' sizes", async () => {
    const env = cliEnv({ ...emulator.env, DATABASE_URL: undefined })
    const first = await runCli(['sync', 'salespro', 'customer', '--json'], env)
    expect(first.code, first.stderr).toBe(0)
    // a second full pass over a table that has rows records every key it sees, deleted as it ends
    const second = await runCli(['sync', 'salespro', 'customer', '--full', '--json'], env)
    expect(second.code, second.stderr).toBe(0)
    expect(JSON.parse(second.stdout).runs[0]).toMatchObject({ status: 'succeeded', fetched: 2000 })
    const sizes = await runCli(
      [
        'sql',
        `SELECT pg_relation_size('crmsync.pass_keys') AS "passKeysBytes", (SELECT reltuples FROM pg_class WHERE oid = 'salespro.customer'::regclass) AS "plannerRows"`,
        '--json',
      ],
      env,
    )
    expect(sizes.code, sizes.stderr).toBe(0)
    const [row] = JSON.parse(sizes.stdout).rows
    expect(second.stderr).toContain('embedded warehouse vacuumed')
    expect(Number(row.passKeysBytes)).toBe(0)
    // VACUUM estimates reltuples from the pages it scans (truncated trailing pages move it a few
    // percent); a table the upkeep never analyzed or vacuumed says -1
    expect(Math.abs(Number(row.plannerRows) - 2000)).toBeLessThan(100)
  })
})
