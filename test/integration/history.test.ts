import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Stream } from '../../src/connectors/types.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runReprocess } from '../../src/engine/reprocess.ts'
import { runSync, type SyncOptions } from '../../src/engine/run-sync.ts'
import { silentLogger } from '../../src/log.ts'
import { updateCurrentVersions } from '../../src/warehouse/history.ts'
import type { Warehouse } from '../../src/warehouse/types.ts'
import { dyingAtStatement, dyingWarehouse } from '../helpers/dying-warehouse.ts'
import { createFakeConnector, createFakeStream, makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { historyProblems } from '../helpers/history-invariants.ts'
import { createTestApp } from '../helpers/server.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

const skipReason = (kind: string) => (kind === 'postgres' ? postgresUnavailable() : undefined)

interface Version {
  id: string
  name: string | null
  _hash: string
  _valid_from: Date
  _valid_to: Date | null
  _is_current: boolean
  _deleted: boolean
  _run_id: string | null
}

describe.each(WAREHOUSE_KINDS)('history mode on %s', (kind) => {
  const reason = skipReason(kind)
  let db: TestWarehouse
  beforeAll(async () => {
    if (!reason) db = await createTestWarehouse(kind)
  })
  afterAll(async () => db?.drop())

  let tableNo = 0
  /** each test gets its own stream (table); `history` is the stream's contract, changeable between runs */
  const setup = (rows: FakeSourceControls['rows'], options: { history?: boolean; stream?: (s: Stream) => Stream; replaceScope?: string } = {}) => {
    const c: FakeSourceControls = { rows, pagesServed: 0 }
    const name = `items_${++tableNo}`
    const write = options.replaceScope ? ('replace' as const) : undefined
    const stream = (options.stream ?? ((s) => s))(createFakeStream(c, { name, write, replaceScope: options.replaceScope }))
    const contract = { history: options.history ?? true }
    const run = (o: Partial<SyncOptions> = {}, warehouse: Warehouse = db.warehouse) =>
      runSync(
        [
          {
            connector: createFakeConnector(c, [stream]),
            config: {},
            settings: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10, streams: { [name]: { schema: 'evolve', columns: {}, history: contract.history } } },
          },
        ],
        { warehouse, log: silentLogger(), events: createEngineEvents(), ...o },
      ).then((r) => r.runs[0])
    const versions = async (id?: string) =>
      (
        await db.warehouse.query<Version>(
          `SELECT id, name, _hash, _valid_from, _valid_to, _is_current, _deleted, _run_id FROM fake."${name}__history" ${id ? 'WHERE id = $1' : ''} ORDER BY id, _valid_from`,
          id ? [id] : [],
        )
      ).rows
    const problems = () => historyProblems(db.warehouse, 'fake', name, ['id'])
    const touch = (id: string, updatedAt: string, patch: { name?: string | null; parent?: string | null } = {}) => {
      const row = c.rows.get(id)
      if (!row) throw new Error(`no row ${id}`)
      c.rows.set(id, { ...row, updated_at: updatedAt, ...patch })
    }
    return { c, name, run, versions, problems, touch, contract }
  }

  const at = (minute: number) => new Date(Date.UTC(2024, 1, 1, 0, minute)).toISOString().replace('Z', '000Z')

  it.skipIf(!!reason)('N changes to a key give N+1 versions, contiguous, one current, each starting at its cursor value', async () => {
    const { run, versions, problems, touch } = setup(makeRows(25))
    expect(await run()).toMatchObject({ status: 'succeeded', inserted: 25 })
    for (let n = 1; n <= 3; n++) {
      touch('r00007', at(n), { name: `change ${n}` })
      expect(await run()).toMatchObject({ status: 'succeeded', updated: 1 })
    }
    const seven = await versions('r00007')
    expect(seven.map((v) => v.name)).toEqual(['name 7', 'change 1', 'change 2', 'change 3'])
    expect(seven.map((v) => v._valid_from.toISOString())).toEqual(['2024-01-01T00:00:07.000Z', '2024-02-01T00:01:00.000Z', '2024-02-01T00:02:00.000Z', '2024-02-01T00:03:00.000Z'])
    expect(seven.map((v) => v._valid_to?.toISOString() ?? null)).toEqual(['2024-02-01T00:01:00.000Z', '2024-02-01T00:02:00.000Z', '2024-02-01T00:03:00.000Z', null])
    expect(seven.map((v) => v._is_current)).toEqual([false, false, false, true])
    expect(await versions()).toHaveLength(25 + 3)
    expect(await problems()).toEqual([])
  })

  it.skipIf(!!reason)('a change that does not move the cursor (a tie) starts its version one microsecond after the current one', async () => {
    const { run, versions, problems, touch } = setup(makeRows(3))
    await run()
    const before = (await versions('r00002'))[0]._valid_from
    touch('r00002', (await versions('r00002'))[0]._valid_from.toISOString().replace('Z', '000Z'), { name: 'same time, new name' })
    // the stored cursor is past r00002 now: a --full re-read brings the change
    expect(await run({ flags: { full: true } })).toMatchObject({ status: 'succeeded', updated: 1 })
    const two = await versions('r00002')
    expect(two).toHaveLength(2)
    expect(two[1]._valid_from.getTime()).toBe(before.getTime()) // JS dates stop at the millisecond
    expect(two[0]._valid_to).toEqual(two[1]._valid_from)
    const { rows } = await db.warehouse.query<{ gap: string }>(`SELECT (max(_valid_from) - min(_valid_from))::text AS gap FROM fake."items_${tableNo}__history" WHERE id = 'r00002'`)
    expect(rows[0].gap).toBe('00:00:00.000001')
    expect(await problems()).toEqual([])
  })

  it.skipIf(!!reason)('a re-read adds no version: unchanged rows, a --full re-read, a --force re-read, a retry after a crash past a commit', async () => {
    const { c, run, versions, problems, touch } = setup(makeRows(40))
    // the first load dies after its third transaction (the run's start, two pages), then resumes
    const dying = dyingWarehouse(db.warehouse, 3)
    expect((await run({}, dying.warehouse)).status).not.toBe('succeeded')
    expect(dying.died()).toBe(true)
    expect(await run()).toMatchObject({ status: 'succeeded' })
    expect(await versions()).toHaveLength(40)
    expect(await run()).toMatchObject({ status: 'succeeded', fetched: 0 })
    expect(await run({ flags: { full: true } })).toMatchObject({ status: 'succeeded', fetched: 40, unchanged: 40 })
    expect(await run({ flags: { force: true } })).toMatchObject({ status: 'succeeded', fetched: 40 })
    expect(await versions()).toHaveLength(40)
    touch('r00040', at(1), { name: 'changed once' })
    c.rows.set('r00041', { id: 'r00041', updated_at: at(2), name: 'new' })
    expect(await run()).toMatchObject({ status: 'succeeded', inserted: 1, updated: 1 })
    expect(await versions()).toHaveLength(42)
    expect(await problems()).toEqual([])
  })

  it.skipIf(!!reason)('a crash between a page\'s write and its commit leaves no orphan version', async () => {
    const { c, run, versions, problems, touch } = setup(makeRows(30))
    await run()
    for (const id of ['r00003', 'r00013', 'r00023']) touch(id, at(5), { name: `${id} changed` })
    // dies just before the page's run_pages row: the rows and their versions were written, not committed
    const dying = dyingAtStatement(db.warehouse, (sql) => sql.includes('INSERT INTO crmsync.run_pages'))
    expect((await run({}, dying.warehouse)).status).not.toBe('succeeded')
    expect(dying.died()).toBe(true)
    expect(await versions()).toHaveLength(30)
    expect(await problems()).toEqual([])
    expect(c.rows.size).toBe(30)
    expect(await run()).toMatchObject({ status: 'succeeded', updated: 3 })
    expect(await versions()).toHaveLength(33)
    expect(await problems()).toEqual([])
  })

  it.skipIf(!!reason)('a soft delete closes the current version: the source\'s deleted-at field, and a full pass that no longer sees a row', async () => {
    const deletedAt = (s: Stream): Stream => ({ ...s, deletedAtField: 'parent' })
    const { c, run, versions, problems, touch } = setup(makeRows(12), { stream: deletedAt })
    await run()
    touch('r00004', at(10), { parent: '2024-02-01T00:10:00Z' })
    expect(await run()).toMatchObject({ status: 'succeeded', deleted: 1 })
    c.rows.delete('r00009')
    expect(await run({ flags: { full: true } })).toMatchObject({ status: 'succeeded', deleted: 1 })
    const four = await versions('r00004')
    expect(four.map((v) => [v._deleted, v._is_current])).toEqual([
      [false, false],
      [true, true],
    ])
    expect(four[0]._valid_to).toEqual(four[1]._valid_from)
    expect(four[1]._valid_from.toISOString()).toBe('2024-02-01T00:10:00.000Z')
    // the source changes the deleted record again: a deleted version starting at its cursor value
    touch('r00004', at(15), { name: 'edited while deleted' })
    expect(await run()).toMatchObject({ status: 'succeeded' })
    const again = await versions('r00004')
    expect(again.map((v) => [v.name, v._deleted, v._is_current, v._valid_from.toISOString()])).toEqual([
      ['name 4', false, false, '2024-01-01T00:00:04.000Z'],
      ['name 4', true, false, '2024-02-01T00:10:00.000Z'],
      ['edited while deleted', true, true, '2024-02-01T00:15:00.000Z'],
    ])
    const nine = await versions('r00009')
    expect(nine.map((v) => [v._deleted, v._is_current])).toEqual([
      [false, false],
      [true, true],
    ])
    expect(nine[0]._valid_to).toEqual(nine[1]._valid_from)
    expect(await problems()).toEqual([])
    // back from the dead: a new live current version
    c.rows.set('r00009', { id: 'r00009', updated_at: at(20), name: 'back' })
    expect(await run()).toMatchObject({ status: 'succeeded' })
    expect((await versions('r00009')).map((v) => [v._deleted, v._is_current])).toEqual([
      [false, false],
      [true, false],
      [false, true],
    ])
    expect(await problems()).toEqual([])
  })

  it.skipIf(!!reason)('write mode replace: a child the parent no longer lists gets a deleted current version', async () => {
    const rows = makeRows(6)
    for (const [i, row] of [...rows.values()].entries()) row.parent = i < 3 ? 'p1' : 'p2'
    const { c, run, versions, problems, touch } = setup(rows, { replaceScope: 'parent' })
    await run()
    // p1 is listed again without r00002 (its remaining children move past the cursor)
    c.rows.delete('r00002')
    touch('r00001', at(30))
    touch('r00003', at(30))
    expect(await run()).toMatchObject({ status: 'succeeded', deleted: 1 })
    expect((await versions('r00002')).map((v) => [v._deleted, v._is_current])).toEqual([
      [false, false],
      [true, true],
    ])
    expect(await problems()).toEqual([])
  })

  it.skipIf(!!reason)('a reprocess amends each current version in place: no version added, validity untouched', async () => {
    // today's processor writes names in capitals; the stored records (_raw) are as they were received
    let shout = false
    const rebuilding = (s: Stream): Stream => ({
      ...s,
      rebuild: (raw) => {
        const row = raw as Record<string, unknown>
        const name = shout && typeof row.name === 'string' ? row.name.toUpperCase() : row.name
        return { records: [{ values: { amount: null, parent: null, ...row, name }, raw }] }
      },
    })
    const { run, versions, problems, touch, name, contract } = setup(makeRows(12), { stream: rebuilding })
    expect(await run()).toMatchObject({ status: 'succeeded', inserted: 12 })
    touch('r00003', at(5), { name: 'renamed' })
    expect(await run()).toMatchObject({ status: 'succeeded', updated: 1 })
    const before = await versions()
    expect(before).toHaveLength(13)
    shout = true
    const stream = rebuilding(createFakeStream({ rows: new Map(), pagesServed: 0 }, { name }))
    const summary = await runReprocess('fake', stream, {
      warehouse: db.warehouse,
      log: silentLogger(),
      events: createEngineEvents(),
      dryRun: false,
      batchSize: 5,
      trigger: 'test',
      contract: { schema: 'evolve', columns: {}, history: contract.history },
    })
    expect(summary).toMatchObject({ status: 'succeeded', mode: 'reprocess', updated: 12 })
    const after = await versions()
    // the same versions with the same validity: only the current ones carry today's values
    expect(after.map(({ id, _valid_from, _valid_to, _is_current }) => ({ id, _valid_from, _valid_to, _is_current }))).toEqual(
      before.map(({ id, _valid_from, _valid_to, _is_current }) => ({ id, _valid_from, _valid_to, _is_current })),
    )
    for (const v of after) expect(v.name, `${v.id} from ${v._valid_from}`).toBe(v._is_current ? String(before.find((b) => b.id === v.id && b._is_current)?.name).toUpperCase() : before.find((b) => b.id === v.id && String(b._valid_from) === String(v._valid_from))?.name)
    expect(await problems()).toEqual([])
  })

  it.skipIf(!!reason)("the stream's dashboard page counts its versions; a stream without history shows none", async () => {
    const kept = setup(makeRows(4))
    await kept.run()
    kept.touch('r00002', at(9), { name: 'again' })
    await kept.run()
    const plain = setup(makeRows(3), { history: false })
    await plain.run()
    const { app } = createTestApp(db.warehouse, {})
    const page = async (stream: string) => (await app.request(`/monitoring/streams/fake/${stream}`, { headers: { host: 'localhost' } })).text()
    expect(await page(kept.name)).toMatch(/Versions<\/[^>]+>\s*<[^>]+>5</)
    expect(await page(plain.name)).not.toContain('Versions')
  })

  it.skipIf(!!reason)('turning history on for a stream with data seeds one current version per row, once', async () => {
    const { run, versions, problems, touch, contract, name } = setup(makeRows(15), { history: false })
    await run()
    const exists = async () => (await db.warehouse.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [`fake.${name}__history`])).rows[0].t
    expect(await exists()).toBeNull()
    contract.history = true
    expect(await run()).toMatchObject({ status: 'succeeded', fetched: 0 })
    const seeded = await versions()
    expect(seeded).toHaveLength(15)
    expect(seeded.every((v) => v._is_current && v._valid_to === null && !v._deleted)).toBe(true)
    expect(seeded[0]._valid_from.toISOString()).toBe('2024-01-01T00:00:01.000Z')
    expect(await run()).toMatchObject({ status: 'succeeded' })
    expect(await versions()).toHaveLength(15)
    touch('r00001', at(1), { name: 'after the seed' })
    await run()
    expect(await versions()).toHaveLength(16)
    expect(await problems()).toEqual([])
  })

  it.skipIf(!!reason)('a table and history kept with jsonb _raw and the whole digest as text are converted in place; unchanged rows stay unchanged', async () => {
    const { run, versions, problems, touch, name } = setup(makeRows(8))
    await run()
    // the shape before: jsonb, and the whole SHA-256 as base64 (its first 16 bytes are today's hash)
    const tail = `'\\x00112233445566778899aabbccddeeff'::bytea`
    for (const table of [name, `${name}__history`])
      await db.warehouse.query(`ALTER TABLE fake."${table}" ALTER COLUMN _raw TYPE jsonb USING _raw::jsonb, ALTER COLUMN _hash TYPE text USING encode(_hash || ${tail}, 'base64')`)
    expect(await run({ flags: { full: true } })).toMatchObject({ status: 'succeeded', fetched: 8, updated: 0, unchanged: 8 })
    const types = await db.warehouse.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'fake' AND table_name IN ($1, $2) AND column_name IN ('_raw', '_hash') ORDER BY 1, 2`,
      [name, `${name}__history`],
    )
    expect(types.rows.map((r) => r.data_type)).toEqual(['bytea', 'json', 'bytea', 'json'])
    expect(await versions()).toHaveLength(8)
    touch('r00001', at(1), { name: 'after the conversion' })
    expect(await run()).toMatchObject({ status: 'succeeded', updated: 1 })
    expect(await versions()).toHaveLength(9)
    expect(await problems()).toEqual([])
  })

  it.skipIf(!!reason)('turned off and on again, the history catches up: rows changed while it was off get their version, once', async () => {
    const { c, run, versions, problems, touch, contract } = setup(makeRows(6))
    await run()
    contract.history = false
    touch('r00002', at(1), { name: 'while off' })
    c.rows.delete('r00003')
    expect(await run({ flags: { full: true } })).toMatchObject({ status: 'succeeded', updated: 1, deleted: 1 })
    expect(await versions()).toHaveLength(6)
    contract.history = true
    expect(await run()).toMatchObject({ status: 'succeeded', fetched: 0 })
    expect((await versions('r00002')).map((v) => [v.name, v._is_current, v._valid_from.toISOString()])).toEqual([
      ['name 2', false, '2024-01-01T00:00:02.000Z'],
      ['while off', true, '2024-02-01T00:01:00.000Z'],
    ])
    expect((await versions('r00003')).map((v) => [v._deleted, v._is_current])).toEqual([
      [false, false],
      [true, true],
    ])
    expect(await problems()).toEqual([])
    // caught up once: the next runs find the history kept
    touch('r00004', at(2), { name: 'on again' })
    await run()
    await run()
    expect(await versions()).toHaveLength(6 + 2 + 1)
    expect(await problems()).toEqual([])
  })

  it.skipIf(!!reason)('the history follows the table\'s shape: a column the source grew is added, a widened one widened, in the batch that brings it', async () => {
    const { c, name, run, problems } = setup(makeRows(4))
    await run()
    c.schema = { fields: [{ name: 'score', type: 'integer' }], complete: false }
    c.rows.set('r00001', { ...c.rows.get('r00001')!, updated_at: at(1), extra: { score: 5 } })
    expect(await run()).toMatchObject({ status: 'succeeded' })
    c.schema = { fields: [{ name: 'score', type: 'text' }], complete: false }
    c.rows.set('r00001', { ...c.rows.get('r00001')!, updated_at: at(2), extra: { score: 'high' } })
    expect(await run()).toMatchObject({ status: 'succeeded' })
    const { rows: types } = await db.warehouse.query<{ t: string }>(
      `SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'score'`,
      [`fake.${name}__history`],
    )
    expect(types).toEqual([{ t: 'text' }])
    const { rows } = await db.warehouse.query<{ score: string | null }>(`SELECT score FROM fake."${name}__history" WHERE id = 'r00001' ORDER BY _valid_from`)
    expect(rows.map((r) => r.score)).toEqual([null, '5', 'high'])
    expect(await problems()).toEqual([])
  })

  it.skipIf(!!reason)('updateCurrentVersions (the hook for a reprocess run) rewrites the current versions of the staged rows in place, adding none', async () => {
    const { name, run, versions, problems, touch } = setup(makeRows(3))
    await run()
    touch('r00001', at(1), { name: 'second' })
    await run()
    const table = { schema: 'fake', table: name, primaryKey: ['id'] }
    const session = await db.warehouse.session()
    try {
      await session.transaction(async (tx) => {
        // as a reprocess would: the rows it rewrites staged by key, the table rewritten, then the hook
        await tx.query(`CREATE TEMP TABLE "crmsync_stage" (id text, "_row" integer) ON COMMIT DROP`)
        await tx.query(`INSERT INTO "crmsync_stage" VALUES ('r00001', 0), ('r00002', 1)`)
        await tx.query(`UPDATE fake."${name}" SET name = upper(name) WHERE id IN ('r00001', 'r00002')`)
        const columns = ['id', 'updated_at', 'name', 'amount', 'parent']
        expect(await updateCurrentVersions(tx, { table, columns }, new Map([['id', 'text']]), 0, 1)).toBe(2)
      })
    } finally {
      await session.release()
    }
    expect((await versions('r00001')).map((v) => [v.name, v._is_current])).toEqual([
      ['name 1', false],
      ['SECOND', true],
    ])
    expect((await versions('r00002')).map((v) => v.name)).toEqual(['NAME 2'])
    expect(await versions()).toHaveLength(4)
    expect(await problems()).toEqual([])
  })

  it.skipIf(!!reason)('a dry run writes no version', async () => {
    const { run, versions, touch } = setup(makeRows(5))
    await run()
    touch('r00001', at(1), { name: 'dry' })
    expect(await run({ dryRun: true })).toMatchObject({ status: 'succeeded', updated: 1 })
    expect(await versions()).toHaveLength(5)
  })
})
