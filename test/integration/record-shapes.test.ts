import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rebuildRecord, recordShape, type ShapeField } from '../../src/record-shape.ts'
import { recordSql, saveRecordShapes } from '../../src/warehouse/sql/record-shapes.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

const skipReason = (kind: string) => (kind === 'postgres' ? postgresUnavailable() : undefined)

// a record's fields, in its order: typed columns of each kind, a column widened to text after its
// rows were written, and a field no column holds
const fields: ShapeField[] = [
  ['id', 'id', 'text'],
  ['Name', 'name', 'text'],
  ['flag', 'flag', 'boolean'],
  ['n', 'n', 'text'],
  ['at', 'at', 'timestamp'],
  ['old_at', 'widened_at', 'timestamp'],
  ['extra', null, 'raw'],
]
const shape = recordShape(fields)
const slim = (residual: Record<string, unknown> = {}) => JSON.stringify({ '~shape': shape.id, ...residual })

interface Row {
  id: string
  name: string | null
  flag: boolean | null
  n: string | null
  at: string | null
  widened_at: string | null
  raw: string | null
  /** the record the row stands for, its keys in order */
  record: unknown
}

const rows: Row[] = [
  {
    id: 'a',
    name: `O'Brien "Bud" — Ñúñez ☃ \\ tab\there`,
    flag: true,
    n: '-12',
    at: '2024-02-29 23:59:59.123Z',
    widened_at: '2024-01-02 03:04:05.678+00',
    raw: slim({ extra: { nested: [1, 'two', null] } }),
    record: { id: 'a', Name: `O'Brien "Bud" — Ñúñez ☃ \\ tab\there`, flag: 'true', n: '-12', at: '2024-02-29 23:59:59.123', old_at: '2024-01-02 03:04:05.678', extra: { nested: [1, 'two', null] } },
  },
  {
    // NULLs, an empty string, and a timestamp whose text the column cannot give back (kept in `_raw`)
    id: 'b',
    name: '',
    flag: false,
    n: null,
    at: '2024-01-01 00:00:00Z',
    widened_at: null,
    raw: slim({ at: '2024-01-01T00:00:00Z', extra: null }),
    record: { id: 'b', Name: '', flag: 'false', n: null, at: '2024-01-01T00:00:00Z', old_at: null, extra: null },
  },
  // a whole `_raw`, the only kind before slim rows, and any JSON value: given back as it is
  { id: 'c', name: 'x', flag: null, n: null, at: null, widened_at: null, raw: '{"id":"c","~shape":"not first"}', record: { id: 'c', '~shape': 'not first' } },
  { id: 'd', name: null, flag: null, n: null, at: null, widened_at: null, raw: '[1,2]', record: [1, 2] },
  { id: 'e', name: null, flag: null, n: null, at: null, widened_at: null, raw: null, record: null },
  // a shape the warehouse does not know: nothing to rebuild with, `_raw` as it is
  { id: 'f', name: 'x', flag: null, n: null, at: null, widened_at: null, raw: '{"~shape":"0000000000000000"}', record: { '~shape': '0000000000000000' } },
]

describe.each(WAREHOUSE_KINDS)('slim _raw read back on %s', (kind) => {
  const reason = skipReason(kind)
  let db: TestWarehouse
  beforeAll(async () => {
    if (reason) return
    db = await createTestWarehouse(kind)
    const w = db.warehouse
    await w.query(`CREATE TABLE public.slim (id text PRIMARY KEY, name text, flag boolean, n bigint, at timestamptz, widened_at timestamptz, "_raw" json)`)
    for (const r of rows) await w.query(`INSERT INTO public.slim VALUES ($1, $2, $3, $4, $5, $6, $7)`, [r.id, r.name, r.flag, r.n, r.at, r.widened_at, r.raw])
    // widened after its rows were written, as schema evolution does: the column's text changes form
    await w.query(`ALTER TABLE public.slim ALTER COLUMN widened_at TYPE text USING widened_at::text`)
    await saveRecordShapes(w, [shape])
    await saveRecordShapes(w, [shape]) // a shape kept twice is kept once
  })
  afterAll(async () => db?.drop())

  /** each row's record read back in a session whose zone is not UTC, as text: the keys' order is part of what is compared */
  async function readBack(expression: string): Promise<Map<string, string | null>> {
    const session = await db.warehouse.session()
    try {
      await session.query(`SELECT set_config('TimeZone', 'America/New_York', false)`)
      const { rows: read } = await session.query<{ id: string; record: string | null }>(`SELECT t.id, (${expression})::text AS record FROM public.slim t ORDER BY t.id`)
      return new Map(read.map((r) => [r.id, r.record]))
    } finally {
      await session.query(`SELECT set_config('TimeZone', 'UTC', false)`)
      await session.release()
    }
  }

  it.skipIf(reason)('crmsync.record gives each row its record, fields in order, slim or whole', async () => {
    // crmsync.record, and a reader's SQL without the shape (it looks it up) and with it (its own expression)
    for (const expression of ['crmsync.record(t._raw, to_jsonb(t))', recordSql('t'), recordSql('t', [shape])]) {
      const read = await readBack(expression)
      for (const r of rows) {
        const text = read.get(r.id) ?? null
        expect(text === null ? null : JSON.parse(text), `${r.id} by ${expression}`).toEqual(r.record)
        if (r.record && typeof r.record === 'object' && !Array.isArray(r.record)) expect(Object.keys(JSON.parse(text!))).toEqual(Object.keys(r.record))
      }
    }
  })

  it.skipIf(reason)('keeps each shape once', async () => {
    const { rows: kept } = await db.warehouse.query<{ id: string; fields: unknown }>(`SELECT id, fields FROM crmsync.record_shapes`)
    expect(kept).toEqual([{ id: shape.id, fields }])
  })
})

describe('a slim _raw rebuilt from the texts its row was written with', () => {
  it('gives the record back as crmsync.record does', () => {
    // the byte lane's texts: a timestamp's own and a `Z`, a boolean's first letter
    const texts: Record<string, string | null> = { id: 'a', name: 'x "y"', flag: 't', n: '7', at: '2024-02-29 23:59:59.123Z', widened_at: null }
    const record = rebuildRecord({ '~shape': shape.id, extra: [1] }, shape, (column) => texts[column] ?? null)
    expect(record).toEqual({ id: 'a', Name: 'x "y"', flag: 'true', n: '7', at: '2024-02-29 23:59:59.123', old_at: null, extra: [1] })
    expect(Object.keys(record)).toEqual(fields.map(([field]) => field))
    expect(rebuildRecord({ '~shape': shape.id, at: 'kept' }, shape, (column) => (column === 'flag' ? 'f' : null))).toMatchObject({ flag: 'false', at: 'kept', extra: null })
  })

  it('names a shape by its fields alone', () => {
    expect(recordShape([...fields]).id).toBe(shape.id)
    expect(recordShape(fields.slice(1)).id).not.toBe(shape.id)
    expect(shape.id).toMatch(/^[0-9a-f]{16}$/)
  })
})
