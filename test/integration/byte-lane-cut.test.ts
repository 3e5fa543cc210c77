import { afterEach, describe, expect, it } from 'vitest'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

/**
 * SalesPro's customer rows come as the result file's bytes (the byte lane, docs/design.md §2). A
 * read cut by --max-records inside such a page reads that page's rows as records to cut them
 * (limitRecords); the next run must carry on from the last row kept, and the table end exactly as
 * an uncut read leaves it.
 */
describe.each(WAREHOUSE_KINDS)('a byte-lane read cut inside a page, into %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let cut: TestWarehouse | undefined
  let whole: TestWarehouse | undefined
  let source: SalesProFixture | undefined
  afterEach(async () => {
    await Promise.all([cut?.drop(), whole?.drop()])
    await source?.emulator.close()
  })

  const table = async (db: TestWarehouse) =>
    (await db.warehouse.query(`SELECT customer_id, company_name, created_at, updated_at, _raw::text AS raw, encode(_hash, 'hex') AS hash FROM salespro.customer ORDER BY customer_id`)).rows

  it.skipIf(!!reason)(`carries on after the last row kept, and ends with the table an uncut read leaves ${reason ?? ''}`, async () => {
    ;[cut, whole, source] = await Promise.all([createTestWarehouse(kind), createTestWarehouse(kind), startSalesPro()])
    // pages of 5: the limit of 12 falls inside the third
    const [first] = await source.sync(cut.warehouse, ['customer'], { batchSize: 5, maxRecords: 12 })
    expect(first).toMatchObject({ status: 'partial', fetched: 12, inserted: 12 })
    const [rest] = await source.sync(cut.warehouse, ['customer'], { batchSize: 50 })
    expect(rest).toMatchObject({ status: 'succeeded' })
    const [once] = await source.sync(whole.warehouse, ['customer'], { batchSize: 50 })
    expect(once).toMatchObject({ status: 'succeeded', inserted: rest.inserted + 12 })
    expect(await table(cut)).toEqual(await table(whole))
  })
})
