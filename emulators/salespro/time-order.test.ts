import { paginateGetQueryResults, type AthenaClient } from '@aws-sdk/client-athena'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { startSalesProEmulator } from './index.ts'
import { admin, runQuery, sdkClients } from './test-helpers.ts'

let emulator: RunningEmulator
let athena: AthenaClient

beforeAll(async () => {
  emulator = await startSalesProEmulator({ rows: 3000, seed: 11, only: ['customer'] })
  athena = sdkClients(emulator).athena
})
afterAll(() => emulator?.close())

async function queryRows(sql: string): Promise<(string | null)[][]> {
  const { QueryExecutionId, Status } = await runQuery(athena, emulator, sql)
  expect(Status?.State).toBe('SUCCEEDED')
  const rows: (string | null)[][] = []
  for await (const page of paginateGetQueryResults({ client: athena }, { QueryExecutionId })) {
    rows.push(...page.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue ?? null)))
  }
  return rows.slice(1)
}

const inversions = (times: (string | null)[]) => times.filter((t, i) => i > 0 && (t ?? '') < (times[i - 1] ?? '')).length

describe('the emulated tables in time order', () => {
  it('lie in updated_at order after generation, and after updates move the changed rows to the end', async () => {
    // a plain scan shows the table's own order
    expect(inversions((await queryRows('SELECT updated_at FROM customer')).map((r) => r[0]))).toBe(0)
    await admin(emulator, 'POST', '/_admin/mutate', { table: 'customer', updates: 200, inserts: 10, deletes: 5 })
    const times = (await queryRows('SELECT updated_at FROM customer')).map((r) => r[0])
    expect(times).toHaveLength(3005)
    expect(inversions(times)).toBe(0)
  })

  it('a WHERE on the time answers exactly the rows a whole read filters to, a row back-dated out of place included', async () => {
    const [[key]] = await queryRows('SELECT customer_id FROM customer ORDER BY customer_id LIMIT 1')
    // an explicit update may set any time: the row moves to the end with an old time, out of order
    await admin(emulator, 'POST', '/_admin/mutate', { table: 'customer', updates: [{ key, set: { updated_at: '2019-06-01 12:00:00.000' } }] })
    await admin(emulator, 'POST', '/_admin/mutate', { table: 'customer', updates: 50 })
    const all = await queryRows('SELECT customer_id, updated_at FROM customer ORDER BY updated_at, customer_id')
    const sorted = all.map((r) => r[1] as string)
    const newest = sorted.at(-1) as string
    for (const from of ['2019-06-01 12:00:00.000', '2019-06-01 12:00:00.001', sorted[1500], sorted[2950], newest, '2099-01-01 00:00:00.000']) {
      const window = await queryRows(`SELECT customer_id, updated_at FROM customer WHERE updated_at >= TIMESTAMP '${from}' ORDER BY updated_at, customer_id`)
      expect(window).toEqual(all.filter((r) => (r[1] as string) >= from))
    }
    expect(all.filter((r) => r[0] === key)).toEqual([[key, '2019-06-01 12:00:00.000']])
  })
})
