import { AthenaClient, GetQueryExecutionCommand } from '@aws-sdk/client-athena'
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseS3Url } from '../../src/connectors/salespro/client.ts'
import { salespro } from '../../src/connectors/salespro/index.ts'
import { createEngineEvents, type EngineEventMap, type EngineEvents } from '../../src/engine/events.ts'
import { startHubSpot, type HubSpotFixture } from '../helpers/hubspot.ts'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { createTestWarehouse, postgresUnavailable, type TestWarehouse } from '../helpers/warehouses.ts'

/** The sizes a stream's reads told and the progress its commits carried, as a sync emitted them. */
function listen(stream: string): { events: EngineEvents; sizes: EngineEventMap['connector'][]; progress: EngineEventMap['page:committed']['progress'][] } {
  const events = createEngineEvents()
  const sizes: EngineEventMap['connector'][] = []
  const progress: EngineEventMap['page:committed']['progress'][] = []
  events.on('connector', (e) => void (e.stream === stream && e.type === 'size' && sizes.push(e)))
  events.on('page:committed', (e) => void (e.stream === stream && progress.push(e.progress)))
  return { events, sizes, progress }
}

const reason = postgresUnavailable()

describe('salespro tells the size of its Athena result file in S3', () => {
  let db: TestWarehouse
  let source: SalesProFixture
  beforeAll(async () => {
    if (reason) return
    ;[db, source] = await Promise.all([createTestWarehouse('postgres'), startSalesPro({ rows: 2_000 })])
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })

  /** The byte size of a query's result object, asked of the emulator as a client of real Athena and S3 asks: GetQueryExecution, then HeadObject. */
  async function resultObjectSize(queryExecutionId: string): Promise<number | undefined> {
    const config = salespro.loadConfig({ ...source.emulator.env }, {})
    const credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
    const athena = new AthenaClient({ region: config.region, endpoint: config.athenaEndpoint, credentials })
    const s3 = new S3Client({ region: config.region, endpoint: config.s3Endpoint, credentials, forcePathStyle: true })
    try {
      const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queryExecutionId }))
      const { bucket, key } = parseS3Url(QueryExecution?.ResultConfiguration?.OutputLocation ?? '')
      return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength
    } finally {
      athena.destroy()
      s3.destroy()
    }
  }

  it.skipIf(!!reason)(`reports the result object's size in bytes once, and each commit's bytes read of it up to the whole ${reason ?? ''}`, async () => {
    await source.admin('/_admin/stats', undefined, 'DELETE')
    const { events, sizes, progress } = listen('customer')
    const [run] = await source.sync(db.warehouse, ['customer'], { events })
    expect(run).toMatchObject({ status: 'succeeded', fetched: (await source.emulator.tables()).customer })
    const [query] = (await source.admin('/_admin/stats')).queries as { id: string }[]
    const size = await resultObjectSize(query.id)
    expect(size).toBeGreaterThan(0)
    expect(sizes).toEqual([{ source: 'salespro', stream: 'customer', type: 'size', bytes: size }])
    // 2,000 rows in pages of 100: several commits, each further through the file, the last at its end
    expect(progress.length).toBeGreaterThan(3)
    const done = progress.map((p) => p?.done ?? -1)
    expect(done).toEqual([...done].sort((a, b) => a - b))
    expect(progress.every((p) => p?.unit === 'bytes' && p.total === size && p.done > 0)).toBe(true)
    expect(progress.at(-1)).toEqual({ unit: 'bytes', done: size, total: size })
  })

  it.skipIf(!!reason)('tells no size when the results come through GetQueryResults (S3 refused), which has no total', async () => {
    await source.admin('/_admin/source-faults', { s3Unavailable: true })
    try {
      const { events, sizes, progress } = listen('customer')
      const [run] = await source.sync(db.warehouse, ['customer'], { events, flags: { full: true } })
      expect(run).toMatchObject({ status: 'succeeded', fetched: (await source.emulator.tables()).customer })
      expect(sizes).toEqual([])
      expect(progress.length).toBeGreaterThan(3)
      expect(progress.every((p) => p === undefined)).toBe(true)
    } finally {
      await source.admin('/_admin/source-faults', undefined, 'DELETE')
    }
  })
})

describe("hubspot tells its search's total", () => {
  let db: TestWarehouse
  let source: HubSpotFixture
  beforeAll(async () => {
    if (reason) return
    ;[db, source] = await Promise.all([createTestWarehouse('postgres'), startHubSpot({ rows: 700 })])
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })
  const everything = () => ({ since: '2000-01-01T00:00:00Z', until: new Date(Date.now() + 60_000).toISOString() })

  it.skipIf(!!reason)(`a full pass through the list endpoint, which has no total, tells no size ${reason ?? ''}`, async () => {
    const { events, sizes, progress } = listen('contacts')
    const [run] = await source.sync(db.warehouse, ['contacts'], { events })
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', fetched: (await source.emulator.tables()).contacts })
    expect(sizes).toEqual([])
    expect(progress.every((p) => p === undefined)).toBe(true)
  })

  it.skipIf(!!reason)("a search read tells the search's total, the emulator's count of the records in its window, and counts its commits up to it", async () => {
    const { events, sizes, progress } = listen('contacts')
    const [run] = await source.sync(db.warehouse, ['contacts'], { events, flags: everything() })
    const contacts = (await source.emulator.tables()).contacts
    expect(run).toMatchObject({ status: 'succeeded', mode: 'backfill', fetched: contacts })
    expect(sizes).toEqual([{ source: 'hubspot', stream: 'contacts', type: 'size', records: contacts }])
    expect(progress.length).toBeGreaterThan(3)
    expect(progress.every((p) => p?.unit === 'records' && p.total === contacts)).toBe(true)
    expect(progress.at(-1)).toEqual({ unit: 'records', done: contacts, total: contacts })
  })

  it.skipIf(!!reason)('a read cut by --max-records counts up to the cut, not to the whole search', async () => {
    const { events, sizes, progress } = listen('contacts')
    const [run] = await source.sync(db.warehouse, ['contacts'], { events, flags: everything(), maxRecords: 250 })
    expect(run).toMatchObject({ status: 'partial', fetched: 250 })
    expect(sizes).toEqual([{ source: 'hubspot', stream: 'contacts', type: 'size', records: (await source.emulator.tables()).contacts }])
    expect(progress.at(-1)).toEqual({ unit: 'records', done: 250, total: 250 })
  })
})
