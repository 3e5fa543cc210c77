import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

describe.each(WAREHOUSE_KINDS)('a full pass completed across several runs, into %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let source: SalesProFixture
  beforeAll(async () => {
    if (reason) return
    ;[db, source] = await Promise.all([createTestWarehouse(kind), startSalesPro({ rows: 2000 })])
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })
  const live = async () => (await db.warehouse.query<{ k: string }>(`SELECT customer_id AS k FROM salespro.customer WHERE _deleted_at IS NULL`)).rows.map((r) => r.k)

  it.skipIf(!!reason)(`a first load paused, then resumed, soft-deletes the rows its first part loaded that the source deleted meanwhile ${reason ?? ''}`, async () => {
    const [cut] = await source.sync(db.warehouse, ['customer'], { maxRecords: 300, batchSize: 100 })
    expect(cut).toMatchObject({ status: 'partial', fetched: 300 })
    const loaded = (await live()).slice(0, 5)
    await source.admin('/_admin/mutate', { table: 'customer', deletes: loaded })
    const [resumed] = await source.sync(db.warehouse, ['customer'])
    expect(resumed).toMatchObject({ status: 'succeeded', deleted: 5 })
    const keys = await live()
    expect(keys.length).toBe((await source.emulator.tables()).customer)
    for (const key of loaded) expect(keys).not.toContain(key)
  })

  it.skipIf(!!reason)(`soft-deletes every row the source deleted before the pass ended, wherever the pause fell ${reason ?? ''}`, async () => {
    await source.sync(db.warehouse, ['customer'])
    const total = (await source.emulator.tables()).customer
    const [cut] = await source.sync(db.warehouse, ['customer'], { flags: { full: true }, maxRecords: 300, batchSize: 100 })
    expect(cut.fetched).toBe(300)
    const removed = await source.admin('/_admin/mutate', { table: 'customer', deletes: 20 })
    const [resumed] = await source.sync(db.warehouse, ['customer'])
    expect(resumed.status).toBe('succeeded')
    const keys = await live()
    expect(keys.length).toBe(total - 20)
    for (const key of removed.deleted) expect(keys).not.toContain(key)
  })
})
