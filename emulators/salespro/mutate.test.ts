import { GetQueryExecutionCommand, paginateGetQueryResults, type AthenaClient } from '@aws-sdk/client-athena'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { startSalesProEmulator } from './index.ts'
import { admin, runQuery, sdkClients, startQuery, waitForQuery } from './test-helpers.ts'

let emulator: RunningEmulator
let athena: AthenaClient

beforeAll(async () => {
  emulator = await startSalesProEmulator({ rows: 150, seed: 5 })
  athena = sdkClients(emulator).athena
})
afterAll(() => emulator?.close())

const AT = '2026-11-20 08:30:00.123'
type Changed = { key: string | null; values: Record<string, string | null> }

const mutateOk = (body: unknown) => admin(emulator, 'POST', '/_admin/mutate', body)
async function mutateStatus(body: unknown) {
  const response = await fetch(`${emulator.url}/_admin/mutate`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })
  return response.status
}

async function pageRows(QueryExecutionId: string): Promise<(string | null)[][]> {
  const rows: (string | null)[][] = []
  for await (const page of paginateGetQueryResults({ client: athena }, { QueryExecutionId })) {
    rows.push(...page.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue ?? null)))
  }
  return rows.slice(1)
}
const queryRows = async (sql: string) => pageRows((await runQuery(athena, emulator, sql)).QueryExecutionId!)
const firstKey = async (sql: string) => (await queryRows(sql))[0][0] as string

describe('POST /_admin/mutate', () => {
  it('updates random rows: realistic columns change and updated_at becomes `at`', async () => {
    const before = await emulator.tables()
    const result = await mutateOk({ table: 'estimate', updates: 3, at: AT })
    expect(result.table).toBe('estimate')
    expect(result.updated).toHaveLength(3)
    for (const row of result.updated as Changed[]) {
      expect(row.key).toMatch(/^[A-Za-z0-9]{10}$/)
      expect(row.values).toMatchObject({ estimate_id: row.key, updated_at: AT })
      expect(row.values.sale_amount).toMatch(/^\d+\.\d{2}$/)
      expect(['true', 'false']).toContain(row.values.is_sale)
    }
    const keys = (result.updated as Changed[]).map((r) => `'${r.key}'`).join(', ')
    const seen = await queryRows(`SELECT updated_at FROM estimate WHERE estimate_id IN (${keys})`)
    expect(seen.map((r) => r[0])).toEqual([AT, AT, AT])
    expect(await emulator.tables()).toEqual(before)
  })

  it('applies explicit updates, and refuses unknown keys and columns', async () => {
    const key = await firstKey('SELECT customer_id FROM customer ORDER BY customer_id LIMIT 1')
    const set = { customer_first_name: 'Zoë', crm_source: null }
    const result = await mutateOk({ table: 'customer', updates: [{ key, set }], at: AT })
    const values = expect.objectContaining({ customer_id: key, ...set, updated_at: AT })
    expect(result.updated).toEqual([{ key, values }])
    const unknownKey = [{ key: 'nope', set: { crm_source: 'x' } }]
    expect(await mutateStatus({ table: 'customer', updates: unknownKey })).toBe(400)
    const unknownColumn = [{ key, set: { no_such_column: 'x' } }]
    expect(await mutateStatus({ table: 'customer', updates: unknownColumn })).toBe(400)
  })

  it('inserts new valid rows with fresh keys, created_at = updated_at = at', async () => {
    const before = await emulator.tables()
    const result = await mutateOk({ table: 'customer', inserts: 2, at: AT })
    expect(result.inserted).toHaveLength(2)
    for (const row of result.inserted as Changed[]) {
      expect(row.key).toMatch(/^[A-Za-z0-9]{10}$/)
      expect(row.values).toMatchObject({ created_at: AT, updated_at: AT })
    }
    const leads = await mutateOk({ table: 'lead_results', inserts: 1, at: AT })
    expect(() => JSON.parse(leads.inserted[0].values.lead_results)).not.toThrow()
    const after = await emulator.tables()
    expect(after.customer).toBe(before.customer + 2)
    expect(after.lead_result).toBe(before.lead_result + 1)
  })

  it('takes explicit inserts, including malformed ones that do not count as stream rows', async () => {
    const before = await emulator.tables()
    const athenaBefore = await admin(emulator, 'GET', '/_admin/athena-tables')
    const inserts = [
      { estimate_id: '' },
      { estimate_id: null },
      { estimate_id: 'ExplicitK1', lead_results: 'not json' },
      { estimate_id: 'ExplicitK2', updated_at: '2026-11-21 00:00:00.000' },
    ]
    const result = await mutateOk({ table: 'lead_results', inserts, at: AT })
    expect((result.inserted as Changed[]).map((r) => r.key)).toEqual(['', null, 'ExplicitK1', 'ExplicitK2'])
    expect(result.inserted[3].values).toMatchObject({ created_at: AT, updated_at: '2026-11-21 00:00:00.000' })
    const athenaAfter = await admin(emulator, 'GET', '/_admin/athena-tables')
    expect(athenaAfter.lead_results).toBe(athenaBefore.lead_results + 4)
    expect((await emulator.tables()).lead_result).toBe(before.lead_result + 1)
  })

  it('deletes rows, random or by key', async () => {
    const before = await emulator.tables()
    const random = await mutateOk({ table: 'payments', deletes: 2 })
    expect(random.deleted).toHaveLength(2)
    const key = await firstKey('SELECT payment_id FROM payments ORDER BY payment_id LIMIT 1')
    const explicit = await mutateOk({ table: 'payments', deletes: [key, 'not-a-key'] })
    expect(explicit.deleted).toEqual([key])
    expect((await emulator.tables()).payment).toBe(before.payment - 3)
    const keys = `'${key}', '${random.deleted[0]}'`
    const gone = await queryRows(`SELECT 1 FROM payments WHERE payment_id IN (${keys})`)
    expect(gone).toEqual([])
  })

  it('never gives a new lead result the key of a deleted one (a late insert would bring it back older than it was)', async () => {
    const { deleted } = await mutateOk({ table: 'lead_results', deletes: 10, at: AT })
    expect(deleted).toHaveLength(10)
    // more new lead results than estimates without one: every estimate the picker may take is taken
    const { inserted } = await mutateOk({ table: 'lead_results', inserts: 60, at: AT })
    expect(inserted).toHaveLength(60)
    expect(inserted.map((r: Changed) => r.key).filter((key: string | null) => deleted.includes(key))).toEqual([])
    // a re-insert names the key, and is stamped now: it still brings one back
    const back = await mutateOk({ table: 'lead_results', inserts: [{ estimate_id: deleted[0] }], at: AT })
    expect(back.inserted.map((r: Changed) => r.key)).toEqual([deleted[0]])
  })

  it('accepts only inserts for the append-only user_activity log', async () => {
    const before = await emulator.tables()
    const result = await mutateOk({ table: 'user_activity', inserts: 2, at: AT })
    expect((result.inserted as Changed[]).map((r) => r.key)).toEqual([null, null])
    expect(result.inserted[0].values.created_at).toBe(AT)
    expect((await emulator.tables()).user_activity).toBe(before.user_activity + 2)
    expect(await mutateStatus({ table: 'user_activity', updates: 1 })).toBe(400)
    expect(await mutateStatus({ table: 'user_activity', deletes: 1 })).toBe(400)
  })

  it('serves GET /_admin/tables as tables()', async () => {
    expect(await admin(emulator, 'GET', '/_admin/tables')).toEqual(await emulator.tables())
  })

  it('leaves a running query its snapshot', async () => {
    await admin(emulator, 'POST', '/_admin/source-faults', { queryDelayMs: 2_000 })
    const id = await startQuery(athena, emulator, 'SELECT customer_id FROM customer')
    const before = (await emulator.tables()).customer
    // the query executes a quarter into its delay; the change lands once it has (its scan
    // statistics appear when its result is written), however late that is on a busy machine
    await expect
      .poll(async () => {
        const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))
        return QueryExecution!.Status!.State !== 'RUNNING' && QueryExecution!.Status!.State !== 'QUEUED' ? 'finished' : (QueryExecution!.Statistics?.DataScannedInBytes ?? 0) > 0 ? 'executed' : 'waiting'
      }, { timeout: 60_000, interval: 20 })
      .not.toBe('waiting')
    await mutateOk({ table: 'customer', deletes: 5, inserts: 3 })
    await admin(emulator, 'DELETE', '/_admin/source-faults')
    await waitForQuery(athena, id)
    expect(await pageRows(id)).toHaveLength(before)
    const [[now]] = await queryRows('SELECT count(*) AS n FROM customer WHERE customer_id IS NOT NULL')
    expect(now).toBe(String(before - 2))
  })
})

describe('mutations are reproducible for a seed', () => {
  it('picks the same rows and values in two emulators with the same seed', async () => {
    const runs = []
    for (let i = 0; i < 2; i++) {
      const twin = await startSalesProEmulator({ rows: 80, seed: 9, only: ['customer', 'estimate'] })
      try {
        const call = (body: unknown) => admin(twin, 'POST', '/_admin/mutate', body)
        runs.push([
          await call({ table: 'estimate', updates: 4, at: AT }),
          await call({ table: 'estimate', inserts: 2, at: AT }),
          await call({ table: 'customer', deletes: 3 }),
        ])
      } finally {
        await twin.close()
      }
    }
    expect(runs[1]).toEqual(runs[0])
  })
})
