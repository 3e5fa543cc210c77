import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEnv, collect, runCli, startCli } from '../helpers/cli.ts'
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

  it('a reprocess SIGKILLed half-way resumes after its last committed key at the next run, and converges', async () => {
    await db.warehouse.query(`UPDATE salespro.customer SET customer_first_name = 'BROKEN'`)
    const resumeKey = async () =>
      (await db.warehouse.query<{ after: string[] | null }>(`SELECT reprocess_after AS after FROM crmsync.stream_state WHERE source = 'salespro' AND stream = 'customer'`)).rows[0]?.after ?? null
    // one row per batch: many commits, so the kill lands between two of them
    const child = startCli(['reprocess', 'salespro', 'customer', '--batch-size', '1'], env)
    const done = collect(child)
    const deadline = Date.now() + 120_000
    while ((await resumeKey()) === null) {
      if (Date.now() > deadline) throw new Error('the reprocess never committed a batch')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    child.kill('SIGKILL')
    expect((await done).signal).toBe('SIGKILL')
    const after = await resumeKey()
    expect(after).not.toBeNull()
    const { rows: fixed } = await db.warehouse.query<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer WHERE customer_id <= $1`, [after?.[0]])
    const resumed = await runCli(['reprocess', 'salespro', 'customer', '--json'], env)
    expect(resumed.code, resumed.stderr).toBe(0)
    // it read only the rows after the key the killed run had committed
    expect(JSON.parse(resumed.stdout)).toMatchObject({ fetched: 300 - fixed[0].n, rejected: 0 })
    const { rows } = await db.warehouse.query<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer WHERE customer_first_name IS DISTINCT FROM _raw->>'customer_first_name'`)
    expect(rows[0].n).toBe(0)
    expect(await resumeKey()).toBeNull()
    const { rows: runs } = await db.warehouse.query<{ status: string; error_code: string | null }>(`SELECT status, error_code FROM crmsync.sync_runs WHERE mode = 'reprocess' ORDER BY id DESC LIMIT 2`)
    expect(runs).toEqual([{ status: 'succeeded', error_code: null }, { status: 'failed', error_code: 'abandoned' }])
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
    // a stream whose records cannot be rebuilt keeps its rejects, and says why
    await db.warehouse.query(`INSERT INTO crmsync.rejects (run_id, source, stream, record_key, reason, raw) VALUES (NULL, 'salespro', 'user_activity', NULL, 'created_at is NULL', '{}'::jsonb)`)
    const retry = await runCli(['rejects', 'retry', 'salespro', '--json'], env)
    expect(retry.code, retry.stderr).toBe(0)
    expect(JSON.parse(retry.stdout)).toMatchObject({
      inserted: 1,
      left: [{ source: 'salespro', stream: 'user_activity', rejects: 1, reason: expect.stringMatching(/cannot be reprocessed/) }],
      runs: [expect.objectContaining({ stream: 'customer', mode: 'reprocess', inserted: 1 })],
    })
    expect(JSON.parse((await runCli(['rejects', 'list', '--json'], env)).stdout).rejects).toEqual([expect.objectContaining({ stream: 'user_activity' })])
    // no action at all lists them too; a word that is no action is refused, by name
    expect(JSON.parse((await runCli(['rejects', '--json'], env)).stdout).rejects).toEqual([expect.objectContaining({ stream: 'user_activity' })])
    const unknownAction = await runCli(['rejects', 'salespro'], env)
    expect(unknownAction.code).toBe(2)
    expect(unknownAction.stderr).toMatch(/list or retry, not "salespro"/)
    const named = await runCli(['rejects', 'retry', 'salespro', 'user_activity'], env)
    expect(named.code).toBe(2)
    expect(named.stderr).toMatch(/salespro\.user_activity cannot be reprocessed/)
    await db.warehouse.query(`DELETE FROM crmsync.rejects`)
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
