import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { salespro } from '../../src/connectors/salespro/index.ts'
import type { RunContext, Stream } from '../../src/connectors/types.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runReprocess } from '../../src/engine/reprocess.ts'
import { silentLogger } from '../../src/log.ts'
import type { SourceFileSettings } from '../../src/config.ts'
import { startSalesPro, upperLastNames, type SalesProFixture } from '../helpers/salespro.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

const ctx: RunContext = { signal: new AbortController().signal, log: silentLogger(), now: () => new Date(), report: () => {} }

const STREAMS = ['customer', 'credit_application', 'estimate', 'lead_result', 'lead_result_line_item', 'payment', 'user_activity']
// every stream slim; the customers' versions kept too
const contracts: SourceFileSettings['streams'] = Object.fromEntries(
  STREAMS.map((name) => [name, { schema: 'evolve' as const, columns: {}, history: name === 'customer', raw: 'slim' as const }]),
)
// the record each row stands for, as text, its `_hash`, and whether its `_raw` is slim
const READ = `SELECT crmsync.record(t._raw, to_jsonb(t))::text AS record, encode(t._hash, 'hex') AS hash, starts_with(t._raw::text, '{"~shape":') AS slim`
// the payload hash of a record read back: of the table shape's fingerprint (none here, but for a
// pinned column's `name:type`) and the record as JSON.stringify wrote it
const hashOf = (record: string, fingerprint = '') =>
  createHash('sha256')
    .update(`${fingerprint ? `${fingerprint}\n` : ''}${JSON.stringify(JSON.parse(record))}`)
    .digest('hex')
    .slice(0, 32)

describe.each(WAREHOUSE_KINDS)('slim _raw (raw: "slim"), salespro into %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let source: SalesProFixture
  beforeAll(async () => {
    if (reason) return
    ;[db, source] = await Promise.all([createTestWarehouse(kind), startSalesPro()])
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })
  const q = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.warehouse.query<T>(sql, params)).rows

  /** Every row of every table: its record read back must be the record it was written from, which its `_hash` is of. */
  async function expectRecordsWhole(fingerprints: string[] = ['']): Promise<Map<string, number>> {
    const slim = new Map<string, number>()
    for (const table of STREAMS) {
      const rows = await q<{ record: string; hash: string; slim: boolean }>(`${READ} FROM salespro.${table} t`)
      expect(rows.length).toBeGreaterThan(0)
      expect(rows.filter((r) => !fingerprints.some((f) => hashOf(r.record, f) === r.hash)).map((r) => [table, r.record])).toEqual([])
      slim.set(table, rows.filter((r) => r.slim).length)
    }
    return slim
  }

  it.skipIf(!!reason)('stores the rows the byte lane writes slim, each record given back whole by crmsync.record', async () => {
    const runs = await source.sync(db.warehouse, undefined, { contracts })
    expect(runs.map((r) => r.status)).toEqual(STREAMS.map(() => 'succeeded'))
    const slim = await expectRecordsWhole()
    const [{ n: customers }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer`)
    expect(slim.get('customer')).toBe(customers)
    // the customers' columns give back every field: `_raw` names the shape alone
    const [stored] = await q<{ raw: Record<string, unknown> }>(`SELECT _raw AS raw FROM salespro.customer LIMIT 1`)
    expect(Object.keys(stored.raw)).toEqual(['~shape'])
    expect(await q(`SELECT id FROM crmsync.record_shapes WHERE id = $1`, [stored.raw['~shape']])).toHaveLength(1)
    // a version keeps its whole record
    const versions = await q<{ record: string; hash: string; slim: boolean }>(`${READ} FROM salespro.customer__history t`)
    expect(versions.length).toBe(customers)
    expect(versions.filter((v) => v.slim || hashOf(v.record) !== v.hash)).toEqual([])
    // the streams the byte lane does not read keep every row whole, and their runs say so
    for (const table of ['lead_result', 'lead_result_line_item', 'user_activity']) expect([table, slim.get(table)]).toEqual([table, 0])
    const warned = await q<{ stream: string }>(
      `SELECT r.stream FROM crmsync.run_logs l JOIN crmsync.sync_runs r ON r.id = l.run_id WHERE l.level = 'warn' AND l.message LIKE '%"raw": "slim" does not apply%' ORDER BY r.stream`,
    )
    expect(warned.map((w) => w.stream)).toEqual(['lead_result', 'lead_result_line_item', 'user_activity'])
  })

  it.skipIf(!!reason)('an incremental run after source changes writes them slim too; their records follow', async () => {
    await source.admin('/_admin/mutate', { table: 'customer', updates: 25 })
    const [run] = await source.sync(db.warehouse, ['customer'], { contracts })
    expect(run).toMatchObject({ status: 'succeeded', updated: 25 })
    const slim = await expectRecordsWhole()
    const [{ n: customers }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer`)
    expect(slim.get('customer')).toBe(customers)
  })

  it.skipIf(!!reason)('a reprocess that rewrites a slim row\'s columns stores its record whole first', async () => {
    const streams = await salespro.streams(salespro.loadConfig({ ...source.emulator.env }, { maxPollMs: 100 }), ctx)
    const original = streams.find((s) => s.name === 'customer') as Stream
    // today's processor reads last names in capitals: the columns no longer give back the record
    const upper = upperLastNames(original)
    const [{ n: differing }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer WHERE customer_last_name IS DISTINCT FROM upper(customer_last_name)`)
    expect(differing).toBeGreaterThan(0)
    const summary = await runReprocess('salespro', upper, { warehouse: db.warehouse, log: silentLogger(), events: createEngineEvents(), dryRun: false, batchSize: 50, trigger: 'test' })
    expect(summary).toMatchObject({ status: 'succeeded', updated: differing })
    const slim = await expectRecordsWhole()
    const [{ n: customers }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer`)
    expect(slim.get('customer')).toBe(customers - differing)
    // the rewritten rows' versions were amended in place: still whole, still the record
    const versions = await q<{ record: string; hash: string; slim: boolean }>(`${READ} FROM salespro.customer__history t WHERE t._is_current`)
    expect(versions.filter((v) => v.slim || hashOf(v.record) !== v.hash)).toEqual([])
  })

  it.skipIf(!!reason)('a column pinned to a type that loses its text first stores the slim rows\' records whole', async () => {
    const [{ n: before }] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.customer WHERE starts_with(_raw::text, '{"~shape":')`)
    expect(before).toBeGreaterThan(0)
    // a timestamp cut to its date: the slim records' created_at could no longer be rebuilt from it
    const pinned = { ...contracts, customer: { ...contracts!.customer, columns: { created_at: 'date' as const } } }
    await source.admin('/_admin/mutate', { table: 'customer', updates: 3 })
    const [run] = await source.sync(db.warehouse, ['customer'], { contracts: pinned })
    expect(run.status).toBe('succeeded')
    expect(await q(`SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'salespro.customer'::regclass AND attname = 'created_at'`)).toEqual([{ type: 'date' }])
    // rows the run wrote again hash with the pinned shape's fingerprint, the rest as they were
    const slim = await expectRecordsWhole(['', 'created_at:date'])
    expect(slim.get('customer')).toBe(0)
  })
})
