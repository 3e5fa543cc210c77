import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { authed, createTestApp } from '../helpers/server.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

/**
 * The stream page's rejected records and its token-gated "Retry rejects": the records a sync
 * refused (malformed rows of the emulator, and one a processor refused before it was fixed: here
 * a stored record put back into crmsync.rejects) through today's processors, with no source call.
 */
describe.each(WAREHOUSE_KINDS)('retry rejects from the dashboard, on %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let source: SalesProFixture
  let app: Hono
  const query = async <T extends object>(sql: string, params: unknown[] = []) => (await db.warehouse.query<T>(sql, params)).rows
  const retry = (headers: Record<string, string>) => app.request('/api/streams/salespro/customer/rejects/retry', { method: 'POST', headers, body: '{}' })

  beforeAll(async () => {
    if (reason) return
    ;[db, source] = await Promise.all([createTestWarehouse(kind), startSalesPro({ rows: 60, seed: 5, malformed: 2, only: ['customer'] })])
    await source.sync(db.warehouse, ['customer'])
    ;({ app } = createTestApp(db.warehouse, { salespro: source.emulator }))
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })

  it.skipIf(!!reason)('the page lists the rejects with the action; the action needs the token; a record that now passes is stored and leaves the list', async () => {
    // a customer refused by yesterday's processors: its row gone, its record waiting in crmsync.rejects
    const [victim] = await query<{ customer_id: string; _raw: unknown }>(`SELECT customer_id, _raw FROM salespro.customer ORDER BY customer_id LIMIT 1`)
    await query(`DELETE FROM salespro.customer WHERE customer_id = $1`, [victim.customer_id])
    await query(`INSERT INTO crmsync.rejects (source, stream, record_key, reason, raw) VALUES ('salespro', 'customer', $1, 'an old processor refused it', $2::jsonb)`, [
      victim.customer_id,
      JSON.stringify(victim._raw),
    ])
    const before = Number((await query<{ n: number }>(`SELECT count(*)::int AS n FROM crmsync.rejects WHERE stream = 'customer'`))[0].n)
    expect(before).toBeGreaterThan(1)

    const page = await (await app.request('/monitoring/streams/salespro/customer', { headers: { host: 'localhost' } })).text()
    expect(page).toContain('Rejected records')
    expect(page).toContain('an old processor refused it')
    expect(page).toMatch(/<button[^>]*data-action="retry-rejects"[^>]*data-source="salespro"[^>]*data-stream="customer"/)

    const listed = await (await app.request('/api/streams/salespro/customer/rejects', { headers: { host: 'localhost' } })).json()
    expect(listed.total).toBe(before)

    expect((await retry({ host: 'localhost', origin: 'http://localhost' })).status).toBe(401)
    expect(await query(`SELECT 1 FROM salespro.customer WHERE customer_id = $1`, [victim.customer_id])).toHaveLength(0)

    await source.admin('/_admin/stats', undefined, 'DELETE')
    const response = await retry(authed())
    expect(response.status).toBe(200)
    const result = await response.json()
    expect(result).toMatchObject({ stored: 1, stillRejected: before - 1 })
    expect(result.runId).toEqual(expect.any(Number))
    // no record was asked of the source
    expect((await source.admin('/_admin/stats')).queries).toEqual([])
    expect(await query(`SELECT 1 FROM salespro.customer WHERE customer_id = $1 AND "_deleted_at" IS NULL`, [victim.customer_id])).toHaveLength(1)
    const left = await query<{ record_key: string | null }>(`SELECT record_key FROM crmsync.rejects WHERE stream = 'customer'`)
    expect(left).toHaveLength(before - 1)
    expect(left.map((r) => r.record_key)).not.toContain(victim.customer_id)
    const [run] = await query<{ mode: string; trigger: string }>(`SELECT mode, trigger FROM crmsync.sync_runs WHERE id = $1`, [result.runId])
    expect(run).toEqual({ mode: 'reprocess', trigger: 'dashboard' })
  })

  it.skipIf(!!reason)('a stream that does not exist is refused, naming the streams there are', async () => {
    const response = await app.request('/api/streams/salespro/customers/rejects/retry', { method: 'POST', headers: authed(), body: '{}' })
    expect(response.status).toBe(400)
    expect((await response.json()).error.message).toMatch(/salespro has no stream "customers"/)
  })
})
