import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHubSpot, type HubSpotFixture } from '../helpers/hubspot.ts'
import { createTestWarehouse, postgresUnavailable, type TestWarehouse } from '../helpers/warehouses.ts'

/**
 * HubSpot's month-end batch jobs stamp tens of thousands of records with ONE modified time, more
 * than a search query may page through (10,000). Own file: it is the slow one, and runs beside the
 * other HubSpot tests on the second core. One warehouse only (PostgreSQL when there is one): ~90%
 * of its time is the emulator scanning 25,000 records per search call, the same for either
 * warehouse, and the merge it exercises is the engine's, covered on both by the other files.
 */
const TIED = 25_000
const KINDS = postgresUnavailable() ? (['pglite'] as const) : (['postgres'] as const)

describe.each(KINDS)('hubspot: %s', (kind) => {
  let db: TestWarehouse
  let source: HubSpotFixture
  beforeAll(async () => {
    ;[db, source] = await Promise.all([createTestWarehouse(kind), startHubSpot({ rows: 200, tie: { size: 0 } })])
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })

  it(`${TIED.toLocaleString('en')} contacts sharing one lastmodifieddate all arrive, once`, async () => {
    const [first] = await source.sync(db.warehouse, ['contacts'])
    expect(first).toMatchObject({ status: 'succeeded', mode: 'full' })
    // after the first pass began, so the incremental window holds it; missing contacts are created
    const at = new Date(Date.now() - 1000).toISOString()
    const tie = await source.admin('/_admin/tie', { object: 'contacts', size: TIED, at })
    expect(tie.size).toBe(TIED)
    await source.admin('/_admin/stats/reset', {})
    const [run] = await source.sync(db.warehouse, ['contacts'])
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', fetched: TIED, rejected: 0 })
    expect(run.inserted + run.updated).toBe(TIED)
    const { rows } = await db.warehouse.query<{ tied: number; live: number }>(
      `SELECT count(*) FILTER (WHERE updated_at = $1)::int AS tied, count(*) FILTER (WHERE _deleted_at IS NULL)::int AS live FROM hubspot.contacts`,
      [at],
    )
    expect(rows[0]).toEqual({ tied: TIED, live: (await source.emulator.tables()).contacts })
    const stats = await source.admin('/_admin/stats')
    // 200 per query and never an offset: no query came near the 10,000-result cap
    expect(stats.requests.byStatus['400'] ?? 0).toBe(0)
    expect(stats.requests.search).toBe(Math.ceil(TIED / 200))
  })
})
