import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SourceSchema } from '../../src/connectors/types.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runSync, type SyncOptions } from '../../src/engine/run-sync.ts'
import type { StreamContract } from '../../src/engine/table-shape.ts'
import { silentLogger } from '../../src/log.ts'
import { createFakeConnector, createFakeStream, makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

/**
 * docs/design.md §3.12 on the engine's side, with the in-memory source: a table follows its
 * source's shape (added, widened, dropped), under the stream's contract, and the change commits
 * with the page that first shows it, or not at all.
 */
describe.each(WAREHOUSE_KINDS)('schema evolution on %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  beforeAll(async () => {
    if (!reason) db = await createTestWarehouse(kind)
  })
  afterAll(async () => db?.drop())

  let tableNo = 0
  const setup = (rows = makeRows(20), contract?: StreamContract) => {
    const c: FakeSourceControls = { rows, pagesServed: 0 }
    const name = `shaped_${++tableNo}`
    const stream = createFakeStream(c, { name })
    const run = (options: Partial<SyncOptions> = {}) =>
      runSync(
        [{ connector: createFakeConnector(c, [stream]), config: {}, settings: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10, streams: contract ? { [name]: contract } : undefined } }],
        { warehouse: db.warehouse, log: silentLogger(), events: createEngineEvents(), ...options },
      ).then((r) => r.runs[0])
    const query = async <T = Record<string, unknown>>(sql: string) => (await db.warehouse.query<T & Record<string, unknown>>(sql)).rows as T[]
    const columns = async () =>
      (await query<{ column_name: string; data_type: string }>(`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'fake' AND table_name = '${name}' ORDER BY ordinal_position`)).map(
        (r) => `${r.column_name}:${r.data_type}`,
      )
    const changes = async () =>
      (await query<{ column_name: string; change: string; from_type: string | null; to_type: string | null }>(`SELECT column_name, change, from_type, to_type FROM crmsync.schema_changes WHERE source = 'fake' AND stream = '${name}' ORDER BY id`)).map(
        (r) => `${r.column_name} ${r.change} ${r.from_type ?? '-'} → ${r.to_type ?? '-'}`,
      )
    /** touches rows (a newer updated_at) so an incremental run reads them, setting their extra fields */
    let clock = Date.UTC(2025, 0, 1)
    const touch = (ids: string[], extra: (id: string) => Record<string, unknown>) => {
      for (const id of ids) {
        const row = c.rows.get(id)
        if (!row) throw new Error(`no row ${id}`)
        clock += 1000
        c.rows.set(id, { ...row, updated_at: new Date(clock).toISOString().replace('Z', '000Z'), extra: { ...row.extra, ...extra(id) } })
      }
    }
    const ids = (...numbers: number[]) => numbers.map((n) => `r${String(n).padStart(5, '0')}`)
    return { c, name, run, query, columns, changes, touch, ids }
  }

  const scoreSchema: SourceSchema = { fields: [{ name: 'score', type: 'integer' }], complete: false }

  it.skipIf(!!reason)('a field added between two incremental runs becomes a column, filled for the changed rows and, after --full, for all', async () => {
    const { c, name, run, query, columns, changes, touch, ids } = setup()
    expect(await run()).toMatchObject({ status: 'succeeded', inserted: 20 })
    // the source grows `score`: every row has one, two rows change
    for (const row of c.rows.values()) row.extra = { score: Number(row.id.slice(1)) }
    c.schema = scoreSchema
    touch(ids(3, 4), (id) => ({ score: Number(id.slice(1)) * 10 }))
    expect(await run()).toMatchObject({ status: 'succeeded', mode: 'incremental', fetched: 2, updated: 2 })
    expect(await columns()).toContain('score:integer')
    expect(await changes()).toEqual(['score added - → integer'])
    const filled = async () => query<{ id: string; score: number | null }>(`SELECT id, score FROM fake."${name}" WHERE score IS NOT NULL ORDER BY id`)
    expect(await filled()).toEqual([{ id: 'r00003', score: 30 }, { id: 'r00004', score: 40 }])
    expect(await run({ flags: { full: true } })).toMatchObject({ status: 'succeeded', updated: 18 })
    expect(await filled()).toHaveLength(20)
    // recorded once: later runs see the column as known
    expect(await changes()).toEqual(['score added - → integer'])
    const [registered] = await query<{ origin: string; sql_type: string }>(`SELECT origin, sql_type FROM crmsync.stream_columns WHERE source = 'fake' AND stream = '${name}' AND column_name = 'score'`)
    expect(registered).toEqual({ origin: 'source', sql_type: 'integer' })
  })

  it.skipIf(!!reason)('a retyped field widens its column and keeps the old values; an unparseable value is NULL with _meta', async () => {
    const { c, name, run, query, columns, changes, touch, ids } = setup(makeRows(6))
    for (const row of c.rows.values()) row.extra = { score: 7 }
    c.schema = scoreSchema
    await run()
    expect(await columns()).toContain('score:integer')
    touch(ids(1), () => ({ score: 'twelve' }))
    // the same type, a value that does not fit: NULL, noted, counted
    expect(await run()).toMatchObject({ status: 'succeeded', coerced: 1 })
    const [bad] = await query<{ score: number | null; _meta: unknown }>(`SELECT score, _meta FROM fake."${name}" WHERE id = 'r00001'`)
    expect(bad).toEqual({ score: null, _meta: { changes: [{ field: 'score', change: 'nulled', reason: 'not an integer' }] } })
    // the source now says text: the column widens, old values kept, the touched row's text stored
    c.schema = { fields: [{ name: 'score', type: 'text' }], complete: false }
    touch(ids(2), () => ({ score: 'A+' }))
    expect(await run()).toMatchObject({ status: 'succeeded', coerced: 0 })
    expect(await columns()).toContain('score:text')
    // the table was created with score: its first shape, not a change; the widening is one
    expect(await changes()).toEqual(['score widened integer → text'])
    const scores = await query<{ id: string; score: string | null }>(`SELECT id, score FROM fake."${name}" ORDER BY id`)
    expect(scores.map((r) => r.score)).toEqual([null, 'A+', '7', '7', '7', '7'])
    // and after --full the row read again is written again (the shape is in its hash): 'twelve' is text now
    await run({ flags: { full: true } })
    const again = await query<{ score: string; _meta: unknown }>(`SELECT score, _meta FROM fake."${name}" WHERE id = 'r00001'`)
    expect(again).toEqual([{ score: 'twelve', _meta: null }])
    // a narrower type later never narrows the column
    c.schema = scoreSchema
    await run({ flags: { full: true } })
    expect(await columns()).toContain('score:text')
    expect(await changes()).toHaveLength(1)
  })

  it.skipIf(!!reason)('a field the source dropped keeps its column, NULL from then on, recorded once', async () => {
    const { c, name, run, query, columns, changes, touch, ids } = setup(makeRows(4))
    for (const row of c.rows.values()) row.extra = { score: 1, tier: 'gold' }
    c.schema = { fields: [{ name: 'score', type: 'integer' }, { name: 'tier', type: 'text' }], complete: true }
    await run()
    c.schema = { fields: [{ name: 'score', type: 'integer' }], complete: true }
    touch(ids(1), () => ({ tier: undefined }))
    await run()
    await run()
    expect(await columns()).toContain('tier:text')
    expect(await changes()).toEqual(['tier dropped_at_source text → -'])
    const tiers = await query<{ tier: string | null }>(`SELECT tier FROM fake."${name}" ORDER BY id`)
    expect(tiers.map((r) => r.tier)).toEqual([null, 'gold', 'gold', 'gold'])
  })

  it.skipIf(!!reason)('freeze fails the run with schema_changed, naming the field, before the page is written', async () => {
    const { c, name, run, query, columns, changes, touch, ids } = setup(makeRows(4), { schema: 'freeze', columns: {} })
    await run()
    const before = await query(`SELECT cursor FROM crmsync.stream_state WHERE source = 'fake' AND stream = '${name}'`)
    c.schema = scoreSchema
    touch(ids(2), () => ({ score: 5 }))
    const frozen = await run()
    expect(frozen).toMatchObject({ status: 'failed', errorCode: 'schema_changed', fetched: 0 })
    expect(frozen.error).toMatch(/score \(new, integer\)/)
    expect(await columns()).not.toContain('score:integer')
    expect(await changes()).toEqual([])
    expect(await query(`SELECT cursor FROM crmsync.stream_state WHERE source = 'fake' AND stream = '${name}'`)).toEqual(before)
  })

  it.skipIf(!!reason)('discard_new keeps a new field only in _raw; pins type a field; ignore keeps one out', async () => {
    const discard = setup(makeRows(3), { schema: 'discard_new', columns: {} })
    await discard.run()
    for (const row of discard.c.rows.values()) row.extra = { score: 3 }
    discard.c.schema = scoreSchema
    discard.touch(discard.ids(1), () => ({ score: 9 }))
    expect(await discard.run()).toMatchObject({ status: 'succeeded', updated: 1 })
    expect(await discard.columns()).not.toContain('score:integer')
    const [raw] = await discard.query<{ score: string }>(`SELECT _raw->'extra'->>'score' AS score FROM fake."${discard.name}" WHERE id = 'r00001'`)
    expect(raw).toEqual({ score: '9' })

    const pinned = setup(makeRows(3), { schema: 'evolve', columns: { score: 'text', tier: 'ignore', name: 'ignore' } })
    for (const row of pinned.c.rows.values()) row.extra = { score: 4, tier: 'gold' }
    pinned.c.schema = { fields: [{ name: 'score', type: 'integer' }, { name: 'tier', type: 'text' }], complete: false }
    await pinned.run()
    const shape = await pinned.columns()
    expect(shape).toContain('score:text')
    expect(shape.some((c) => c.startsWith('tier:') || c.startsWith('name:'))).toBe(false)
    const [origin] = await pinned.query<{ origin: string }>(`SELECT origin FROM crmsync.stream_columns WHERE source = 'fake' AND stream = '${pinned.name}' AND column_name = 'score'`)
    expect(origin).toEqual({ origin: 'pinned' })
  })

  it.skipIf(!!reason)('a failure between the ALTER and the page commit leaves no half-applied schema', async () => {
    const { c, name, run, query, columns, changes, touch, ids } = setup(makeRows(5))
    await run()
    for (const row of c.rows.values()) row.extra = { score: 2 }
    c.schema = scoreSchema
    touch(ids(5), () => ({ score: 50 }))
    // the page's transaction fails after its ALTER ran: the run page insert raises (not a row error, so nothing is bisected)
    await db.warehouse.query(`CREATE FUNCTION fake.refuse_${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the warehouse went away' USING ERRCODE = '57P01'; END $$`)
    await db.warehouse.query(`CREATE TRIGGER refuse BEFORE INSERT ON crmsync.run_pages FOR EACH ROW EXECUTE FUNCTION fake.refuse_${name}()`)
    let failed
    try {
      failed = await run()
    } finally {
      await db.warehouse.query(`DROP TRIGGER refuse ON crmsync.run_pages`)
    }
    expect(failed.status).toBe('failed')
    expect(await columns()).not.toContain('score:integer')
    expect(await changes()).toEqual([])
    expect(await query(`SELECT 1 FROM crmsync.stream_columns WHERE source = 'fake' AND stream = '${name}' AND column_name = 'score'`)).toEqual([])
    // the next run applies it once, with the row
    expect(await run()).toMatchObject({ status: 'succeeded', updated: 1 })
    expect(await changes()).toEqual(['score added - → integer'])
    expect(await query(`SELECT score FROM fake."${name}" WHERE id = 'r00005'`)).toEqual([{ score: 50 }])
  })
})
