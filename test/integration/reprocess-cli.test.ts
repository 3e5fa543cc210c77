import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEnv, runCli } from '../helpers/cli.ts'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { createTestWarehouse, postgresUnavailable, type TestWarehouse } from '../helpers/warehouses.ts'

const reason = postgresUnavailable()

// the commands as a person runs them, against a PostgreSQL warehouse the test can also write to
describe.skipIf(reason)('crmsync reprocess and crmsync rejects, from the command line', () => {
  let db: TestWarehouse
  let source: SalesProFixture
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    ;[db, source] = await Promise.all([createTestWarehouse('postgres'), startSalesPro()])
    env = cliEnv({ DATABASE_URL: db.url, ...source.emulator.env })
    const sync = await runCli(['sync', 'salespro', 'customer', '--json'], env)
    expect(sync.code, sync.stderr).toBe(0)
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })

  it('reprocess --json fixes broken rows with no Athena query, and says how many it updated', async () => {
    await db.warehouse.query(`UPDATE salespro.customer SET customer_first_name = 'BROKEN' WHERE customer_id IN (SELECT customer_id FROM salespro.customer ORDER BY random() LIMIT 50)`)
    await source.admin('/_admin/stats', undefined, 'DELETE')
    const result = await runCli(['reprocess', 'salespro', 'customer', '--json'], env)
    expect(result.code, result.stderr).toBe(0)
    const json = JSON.parse(result.stdout)
    expect(json).toMatchObject({ fetched: 300, updated: 50, unchanged: 250, rejected: 0 })
    expect(json.runs).toEqual([expect.objectContaining({ stream: 'customer', mode: 'reprocess', status: 'succeeded', updated: 50 })])
    const stats = await source.admin('/_admin/stats')
    expect(stats.queries).toEqual([])
    expect(stats.requests).toEqual({})
    const { rows } = await db.warehouse.query<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer WHERE customer_first_name IS DISTINCT FROM _raw->>'customer_first_name'`)
    expect(rows[0].n).toBe(0)
  })

  it('refuses a stream that cannot be rebuilt from _raw, and a stream that does not exist, with exit 2', async () => {
    const refused = await runCli(['reprocess', 'salespro', 'user_activity'], env)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/salespro\.user_activity cannot be reprocessed: its records depend on more than the record as received/)
    const unknown = await runCli(['reprocess', 'salespro', 'nope'], env)
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/salespro has no stream "nope"/)
    const keys = await runCli(['reprocess', 'salespro', '--keys', '1,2'], env)
    expect(keys.code).toBe(2)
    expect(keys.stderr).toMatch(/--keys/)
  })

  it('rejects list shows the rejected records; retry stores those that now pass', async () => {
    const { rows } = await db.warehouse.query<{ raw: Record<string, unknown> }>(`SELECT _raw AS raw FROM salespro.customer ORDER BY customer_id LIMIT 1`)
    const raw = { ...rows[0].raw, customer_id: 'CLI-RETRIED' }
    await db.warehouse.query(`INSERT INTO crmsync.rejects (run_id, source, stream, record_key, reason, raw) VALUES (NULL, 'salespro', 'customer', 'CLI-RETRIED', 'refused once', $1::jsonb)`, [JSON.stringify(raw)])
    const list = await runCli(['rejects', 'list', 'salespro', '--json'], env)
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.parse(list.stdout).rejects).toEqual([expect.objectContaining({ runId: null, source: 'salespro', stream: 'customer', key: 'CLI-RETRIED', reason: 'refused once', created: expect.any(String), id: expect.any(Number) })])
    const retry = await runCli(['rejects', 'retry', 'salespro', '--json'], env)
    expect(retry.code, retry.stderr).toBe(0)
    expect(JSON.parse(retry.stdout)).toMatchObject({ inserted: 1, left: [], runs: [expect.objectContaining({ stream: 'customer', mode: 'reprocess', inserted: 1 })] })
    expect(JSON.parse((await runCli(['rejects', 'list', '--json'], env)).stdout).rejects).toEqual([])
  })

  it('--help explains what reprocess changes and what it never does', async () => {
    const help = await runCli(['reprocess', '--help'], env)
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/no call to the source/)
    expect(help.stdout).toMatch(/What it never does/)
    const rejects = await runCli(['rejects', '--help'], env)
    expect(rejects.code).toBe(0)
    expect(rejects.stdout).toMatch(/an older version never overwrites a newer one/)
  })
})
