import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hubspot } from '../../src/connectors/hubspot/index.ts'
import { salesrabbit } from '../../src/connectors/salesrabbit/index.ts'
import type { RunContext, Stream } from '../../src/connectors/types.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { cannotRebuild, runReprocess } from '../../src/engine/reprocess.ts'
import { silentLogger } from '../../src/log.ts'
import type { Warehouse } from '../../src/warehouse/types.ts'
import { FAST_LIMITS, startHubSpot, type HubSpotFixture } from '../helpers/hubspot.ts'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { startSalesRabbit, type SalesRabbitFixture } from '../helpers/salesrabbit.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

const ctx: RunContext = { signal: new AbortController().signal, log: silentLogger(), now: () => new Date(), report: () => {} }

const reprocess = (warehouse: Warehouse, source: string, stream: Stream) =>
  runReprocess(source, stream, { warehouse, log: silentLogger(), events: createEngineEvents(), dryRun: false, batchSize: 70, trigger: 'test' })

/** Every row of a table as JSON, `_run_id` aside (a reprocess sets it on the rows it rewrites). */
async function rowsOf(warehouse: Warehouse, table: string, key: string): Promise<unknown[]> {
  const { rows } = await warehouse.query<{ row: unknown }>(`SELECT to_jsonb(t) - '_run_id' AS row FROM ${table} t ORDER BY ${key}`)
  return rows.map((r) => r.row)
}

// each connector's rebuild gives back exactly the record its read gave: a reprocess right after a
// sync changes nothing, and one after the typed columns were wiped restores them, evolved ones too
describe.each(WAREHOUSE_KINDS)('reprocess reproduces what each source\'s read stored, into %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let salespro: SalesProFixture
  let hub: HubSpotFixture
  let rabbit: SalesRabbitFixture
  beforeAll(async () => {
    if (reason) return
    ;[db, salespro, hub, rabbit] = await Promise.all([createTestWarehouse(kind), startSalesPro(), startHubSpot(), startSalesRabbit({ rows: 300 })])
  })
  afterAll(async () => {
    await db?.drop()
    await Promise.all([salespro?.emulator.close(), hub?.emulator.close(), rabbit?.emulator.close()])
  })

  it.skipIf(!!reason)(`salespro lead_result: rebuilt from the Athena row, nothing changes ${reason ?? ''}`, async () => {
    expect(await salespro.sync(db.warehouse, ['lead_result'])).toMatchObject([{ status: 'succeeded' }])
    const { salespro: connector } = await import('../../src/connectors/salespro/index.ts')
    const streams = await connector.streams(connector.loadConfig({ ...salespro.emulator.env }, {}), ctx)
    const before = await rowsOf(db.warehouse, 'salespro.lead_result', 'estimate_id')
    const summary = await reprocess(db.warehouse, 'salespro', streams.find((s) => s.name === 'lead_result') as Stream)
    expect(summary).toMatchObject({ status: 'succeeded', updated: 0, unchanged: before.length, rejected: 0 })
    await db.warehouse.query(`UPDATE salespro.lead_result SET status_bucket = NULL, lead_results_raw = NULL`)
    expect(await reprocess(db.warehouse, 'salespro', streams.find((s) => s.name === 'lead_result') as Stream)).toMatchObject({ status: 'succeeded', updated: before.length })
    expect(await rowsOf(db.warehouse, 'salespro.lead_result', 'estimate_id')).toEqual(before)
  })

  it.skipIf(!!reason)('salesrabbit leads and users, with a field the leads grew (loyaltyTier → loyalty_tier)', async () => {
    await rabbit.sync(db.warehouse, ['leads', 'users'])
    await rabbit.admin('/_admin/alter', { resource: 'leads', add: [{ name: 'loyaltyTier', type: 'string' }, { name: 'nps', type: 'integer' }], touch: 100 })
    expect(await rabbit.sync(db.warehouse, ['leads'])).toMatchObject([{ status: 'succeeded' }])
    const streams = await salesrabbit.streams(rabbit.config(), ctx)
    const leads = streams.find((s) => s.name === 'leads') as Stream
    const users = streams.find((s) => s.name === 'users') as Stream
    const before = await rowsOf(db.warehouse, 'salesrabbit.leads', 'id')
    const stats = await rabbit.admin('/_admin/stats')
    expect(await reprocess(db.warehouse, 'salesrabbit', leads)).toMatchObject({ status: 'succeeded', updated: 0, unchanged: before.length })
    await db.warehouse.query(`UPDATE salesrabbit.leads SET loyalty_tier = NULL, nps = NULL, first_name = 'BROKEN'`)
    expect(await reprocess(db.warehouse, 'salesrabbit', leads)).toMatchObject({ status: 'succeeded', updated: before.length })
    expect(await rowsOf(db.warehouse, 'salesrabbit.leads', 'id')).toEqual(before)
    const usersBefore = await rowsOf(db.warehouse, 'salesrabbit.users', 'id')
    expect(await reprocess(db.warehouse, 'salesrabbit', users)).toMatchObject({ status: 'succeeded', updated: 0, unchanged: usersBefore.length })
    expect(await rabbit.admin('/_admin/stats')).toEqual(stats)
  })

  it.skipIf(!!reason)('hubspot contacts (with a new property) and owners; associations cannot be reprocessed', async () => {
    await hub.sync(db.warehouse, ['contacts', 'owners'])
    await hub.admin('/_admin/alter', { object: 'contacts', add: [{ name: 'loyalty_tier', type: 'string' }, { name: 'nps', type: 'number' }], touch: 100 })
    expect(await hub.sync(db.warehouse, ['contacts'])).toMatchObject([{ status: 'succeeded' }])
    const streams = await hubspot.streams(hubspot.loadConfig({ ...hub.emulator.env }, { limits: FAST_LIMITS }), ctx)
    const contacts = streams.find((s) => s.name === 'contacts') as Stream
    const owners = streams.find((s) => s.name === 'owners') as Stream
    expect(cannotRebuild('hubspot', streams.find((s) => s.name.startsWith('assoc_')) as Stream)).toMatch(/cannot be reprocessed/)
    const before = await rowsOf(db.warehouse, 'hubspot.contacts', 'id')
    const stats = await hub.admin('/_admin/stats')
    expect(await reprocess(db.warehouse, 'hubspot', contacts)).toMatchObject({ status: 'succeeded', updated: 0 })
    await db.warehouse.query(`UPDATE hubspot.contacts SET loyalty_tier = NULL, nps = NULL, created_at = NULL WHERE "_deleted_at" IS NULL`)
    const fixed = await reprocess(db.warehouse, 'hubspot', contacts)
    expect(fixed).toMatchObject({ status: 'succeeded', rejected: 0 })
    expect(fixed.updated).toBeGreaterThan(0)
    expect(await rowsOf(db.warehouse, 'hubspot.contacts', 'id')).toEqual(before)
    const ownersBefore = await rowsOf(db.warehouse, 'hubspot.owners', 'id')
    expect(await reprocess(db.warehouse, 'hubspot', owners)).toMatchObject({ status: 'succeeded', updated: 0 })
    expect(await rowsOf(db.warehouse, 'hubspot.owners', 'id')).toEqual(ownersBefore)
    expect(await hub.admin('/_admin/stats')).toEqual(stats)
  })
})
