import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { col, columnMaker } from '../../columns.ts'
import { createTableShape, DEFAULT_CONTRACT, type StreamContract } from '../../engine/table-shape.ts'
import { readAll } from '../../engine/limit-records.ts'
import { prepareBatches, type PreparedBatch } from '../../engine/prepare-page.ts'
import { SLIM_PREFIX } from '../../record-shape.ts'
import { encodeCopyJson } from '../../warehouse/copy-text.ts'
import { rawOfLine } from '../../warehouse/merge.ts'
import { syncStore } from '../../warehouse/sync-store.ts'
import type { LanePlan, Page, PlainRecord, RowEncoder, SourceSchema, Stream } from '../types.ts'
import { compileLane } from './byte-lane.ts'
import { resultFileBatches } from './client.ts'
import { parse } from './processors.ts'
import type { SalesProConfig } from './config.ts'
import { customer, estimate } from './streams/keyed-tables.ts'
import { defineTableStream, resultPages, type SalesProCursor, type TableStreamSpec } from './streams/table-stream.ts'

// The byte lane is an optimization only: for any result file, the batches it prepares must be
// the batches the usual path (every row a record) prepares, byte for byte, once each slim `_raw`
// it writes is rebuilt into its whole record (as a reject rebuilds it). Each test writes a
// result file full of the values that must leave the lane (quotes, escapes, control characters,
// bad timestamps and keys, invalid UTF-8, short and long records) between plain ones, and
// compares the two paths' batches: rows, keys, rejects, counts and cursors.

/** A keyed table as the tests read it: its spec and its stream. */
interface Table {
  spec: TableStreamSpec
  stream: Stream<SalesProCursor>
}
const tableOf = (spec: TableStreamSpec): Table => ({ spec, stream: defineTableStream(spec, {} as SalesProConfig) })
const customers = tableOf(customer)
const estimates = tableOf(estimate)

/** A small deterministic generator (mulberry32): the same seed, the same file. */
function random(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const INVALID_UTF8 = Symbol('invalid utf-8')
type Value = string | null | typeof INVALID_UTF8

const TEXTS: Value[] = ['Acme', 'Zoë Gutter Co.', 'Nguyễn 😀', 'O"Brien', '"quoted"', 'back\\slash', 'tab\there', 'line\nbreak', 'cr\rhere', 'nul\u0000', '', null, ' padded ', '\u2028', 'ʻokina', INVALID_UTF8]
const TIMES: Value[] = [
  '2023-01-02 03:04:05',
  '2023-01-02 03:04:05.123',
  '2023-01-02T03:04:05.123456789',
  '2023-01-02 03:04:05.1234567890',
  '2023-02-30 00:00:00',
  '2023-01-02 24:00:00',
  '2024-02-29 12:00:00.5',
  '2023-01-02 03:04:05Z',
  '2023-01-02',
  '0000-00-00 00:00:00',
  ' 2023-01-02 03:04:05',
  '',
  null,
]
const KEYS: Value[] = ['', null, ' ', 'a b', 'ü-key', 'q"k', 'back\\k', INVALID_UTF8]
const BOOLEANS: Value[] = ['true', 'false', 'TRUE', 'yes', 'Y', '0', '1', ' true', 'maybe', '', null]
const INTEGERS: Value[] = ['0', '-0', '12', '-12', '12.0', '1,200', '1e3', '123456789012345678', '1234567890123456789', '12345678901234567890', ' 7', '007', '', null]
const DECIMALS: Value[] = ['0.00', '-0.00', '-0.5', '12.5', '-12.50', '$1,000.00', '(15.00)', '15.00-', '1e3', '12345678901.00', '1234567890.99', '00.5', '.5', '1.', '', null]

function pick<T>(next: () => number, values: readonly T[], plain: T, plainShare: number): T {
  return next() < plainShare ? plain : values[Math.floor(next() * values.length)]
}

function csvField(value: Value): Buffer {
  if (value === null) return Buffer.alloc(0)
  if (value === INVALID_UTF8) return Buffer.concat([Buffer.from('"bad '), Buffer.from([0xff, 0xc3]), Buffer.from(' bytes"')])
  return Buffer.from(`"${value.replaceAll('"', '""')}"`)
}

/** A result file of `rows` rows of `table` with `header`, most values plain, the rest drawn from the hard cases of each column's type. */
function resultFile(table: Table, header: readonly string[], rows: number, seed: number, plainShare = 0.8): Buffer {
  const next = random(seed)
  const lines: Buffer[] = [Buffer.from(header.map((h) => `"${h}"`).join(',') + '\n')]
  for (let r = 0; r < rows; r++) {
    const values: Value[] = header.map((name) => {
      // a key now and then repeats an earlier one: the batch keeps the last version
      if (name === table.spec.sourceKey) return next() < 0.03 ? `k${Math.floor(next() * r)}` : pick(next, KEYS, `k${r}`, 0.9)
      if (name.endsWith('_at')) return pick(next, TIMES, `2023-0${1 + (r % 9)}-1${r % 10} 0${r % 10}:1${r % 10}:2${r % 10}.${r % 1000}`, plainShare)
      const maker = columnMaker(table.spec.schema.shape[name])?.name
      if (maker === 'boolean') return pick(next, BOOLEANS, r % 2 ? 'true' : 'false', plainShare)
      if (maker === 'bigint') return pick(next, INTEGERS, `${r % 3 ? r : -r}`, plainShare)
      if (maker === 'decimal') return pick(next, DECIMALS, `${r % 3 ? '' : '-'}${r}.${r % 100}`, plainShare)
      return pick(next, TEXTS, `plain ${name} ${r}`, plainShare)
    })
    let fields = values.map(csvField)
    const shape = next()
    if (shape < 0.01) fields = fields.slice(0, -1)
    else if (shape < 0.02) fields = [...fields, csvField('extra')]
    lines.push(Buffer.concat([...fields.flatMap((f, i) => (i ? [Buffer.from(','), f] : [f])), Buffer.from(next() < 0.1 ? '\r\n' : '\n')]))
  }
  return Buffer.concat(lines)
}

async function* chunksOf(file: Buffer, size: number) {
  for (let at = 0; at < file.length; at += size) yield file.subarray(at, at + size)
}

interface Seen {
  batches: { keys: readonly string[]; lines: string[]; rejects: string[]; fetched: number; coerced: number; cursor: unknown; columns: string[] }[]
  cursors: unknown[]
  laneRows: number
}

type Reading = 'lane' | 'lane pages read as records' | 'records'
/** the stream contract's `raw`: every comparison runs with `_raw` whole and slim */
type Raw = 'whole' | 'slim'

/**
 * The batches the engine prepares from the file: its rows read by the byte lane, or the lane's
 * own pages with their rows read as records (the same pages, so the same batches), or the read
 * without the lane (its pages cut elsewhere).
 */
async function prepare({ spec, stream }: Table, file: Buffer, schema: SourceSchema | undefined, reading: Reading, raw: Raw, pins: StreamContract['columns'] = {}): Promise<Seen> {
  const shape = createTableShape('salespro', stream, [], { ...DEFAULT_CONTRACT, columns: pins, raw }, true)
  const seen: Seen = { batches: [], cursors: [], laneRows: 0 }
  // blocks of ~1 KB, so records are cut by blocks' ends too
  const batches = resultFileBatches(chunksOf(file, 700), () => 0, 1024)
  async function* pages(): AsyncGenerator<Page<SalesProCursor>> {
    for await (const page of resultPages(spec, batches, { pageSize: 7, zone: 'UTC', schema, byteLane: reading !== 'records' })) {
      seen.cursors.push(page.cursor)
      const rows = page.rows
      if (!rows) yield page
      else if (reading === 'lane') yield { ...page, rows: { ...rows, encoder: (plan) => counted(rows.encoder(plan)) } }
      else yield { ...page, rows: undefined, ...readAll(page) }
    }
  }
  // the rows the lane took, counted through the engine's own calls
  const counted = (encoder: RowEncoder | undefined): RowEncoder | undefined =>
    encoder && { shape: encoder.shape, encode: (i: number, out: PlainRecord) => (encoder.encode(i, out) ? (seen.laneRows++, true) : false) }
  for await (const batch of prepareBatches(stream, pages(), 40, { shape, timeZone: 'UTC', store: syncStore })) seen.batches.push(summary(batch))
  return seen
}

function summary({ prepared, cursor }: PreparedBatch<SalesProCursor>): Seen['batches'][number] {
  const rawAt = prepared.columns.length
  const lines = Array.from({ length: prepared.rows.count }, (_, i) => {
    const fields = prepared.rows.line(i).toString('utf8').split('\t')
    const record = rawOfLine(prepared.rows, i, prepared.columns, prepared.shapes)
    if (fields[rawAt].startsWith(SLIM_PREFIX)) slimRows++
    // a slim `_raw` holding a quote, JSON's `\"` with its backslash doubled for COPY
    if (fields[rawAt].startsWith(SLIM_PREFIX) && fields[rawAt].includes('\\\\"')) slimQuoted++
    fields[rawAt] = encodeCopyJson(JSON.stringify(record))
    return fields.join('\t')
  })
  prepared.rows.release()
  // rejects in any order: a page read as records lists its rows' rejects before its records'
  const rejects = prepared.rejects.map((r) => JSON.stringify([r.key, r.reason, r.raw])).sort()
  return { keys: prepared.rows.keys, lines, rejects, fetched: prepared.fetched, coerced: prepared.coerced, cursor, columns: prepared.columns.map((c) => c.name) }
}

/** lines whose `_raw` was slim, and of them those holding a quote, over every batch summarized */
let slimRows = 0
let slimQuoted = 0

/** What a read leaves in the table (each key's last line) and the rejects, its batches cut wherever. */
function outcome(seen: Seen) {
  const table = new Map<string, string>()
  for (const batch of seen.batches) batch.keys.forEach((key, i) => table.set(key, batch.lines[i]))
  return { table: [...table].sort(), rejects: seen.batches.flatMap((b) => b.rejects).sort(), cursor: seen.batches.at(-1)?.cursor }
}

/** Both comparisons: the same pages prepare the same batches, and the read without the lane leaves the same table. */
async function expectSameAsUsual(table: Table, file: Buffer, schema?: SourceSchema, pins?: StreamContract['columns']): Promise<Seen> {
  const seen: Seen[] = []
  slimQuoted = 0
  for (const raw of ['whole', 'slim'] as const) {
    slimRows = 0
    const lane = await prepare(table, file, schema, 'lane', raw, pins)
    // with `raw: slim`, rows the lane took store their `_raw` slim (a key a batch holds twice keeps its last row); no other row does
    if (raw === 'slim') expect(slimRows).toBeGreaterThan(0)
    expect(slimRows).toBeLessThanOrEqual(raw === 'slim' ? lane.laneRows : 0)
    slimRows = 0
    const asRecords = await prepare(table, file, schema, 'lane pages read as records', raw, pins)
    expect(slimRows).toBe(0)
    expect(lane.batches).toEqual(asRecords.batches)
    expect(outcome(lane)).toEqual(outcome(await prepare(table, file, schema, 'records', raw, pins)))
    seen.push(lane)
  }
  expect(seen[1].batches).toEqual(seen[0].batches)
  return seen[0]
}

const declared = Object.keys(customer.schema.shape)

describe('the byte lane', () => {
  for (const seed of [1, 2, 3]) {
    it(`prepares the batches the usual path prepares, byte for byte (seed ${seed})`, async () => {
      const lane = await expectSameAsUsual(customers, resultFile(customers, declared, 1500, seed))
      // the lane took most rows, and left the hard ones to the usual path, some of them rejected
      expect(lane.laneRows).toBeGreaterThan(300)
      expect(lane.laneRows).toBeLessThan(1500)
      expect(lane.batches.flatMap((b) => b.rejects).length).toBeGreaterThan(0)
    })
  }

  it('reads booleans, integers and decimals as the usual path does (estimates: money, flags, counts)', async () => {
    // 26 columns: each value hard one time in 30, so that about half the rows are plain throughout
    const lane = await expectSameAsUsual(estimates, resultFile(estimates, Object.keys(estimate.schema.shape), 1500, 5, 0.97))
    expect(lane.laneRows).toBeGreaterThan(500)
    expect(lane.batches.flatMap((b) => b.rejects).length).toBeGreaterThan(0)
    expect(lane.batches.some((b) => b.coerced > 0)).toBe(true)
  })

  it('writes the columns Athena adds (typed by the engine) as the usual path does', async () => {
    const header = [...declared.slice(0, 4), 'extra_note', ...declared.slice(4), 'extra_at']
    const schema: SourceSchema = {
      complete: true,
      fields: header.map((name) => ({ name, type: name.endsWith('_at') ? 'timestamptz' : 'text' })),
    }
    const lane = await expectSameAsUsual(customers, resultFile(customers, header, 800, 9), schema)
    expect(lane.batches[0].columns).toContain('extra_at')
    expect(lane.laneRows).toBeGreaterThan(50)
  })

  it('keeps in a slim _raw the fields no column holds, quotes and NULLs as they were', async () => {
    // Athena adds two fields the contract keeps out of the table: their values live in `_raw` alone
    const header = [...declared.slice(0, 4), 'extra_note', ...declared.slice(4), 'extra_at']
    const schema: SourceSchema = {
      complete: true,
      fields: header.map((name) => ({ name, type: name.endsWith('_at') ? 'timestamptz' : 'text' })),
    }
    const lane = await expectSameAsUsual(customers, resultFile(customers, header, 1500, 11, 0.7), schema, { extra_note: 'ignore', extra_at: 'ignore' })
    expect(lane.batches[0].columns).not.toContain('extra_note')
    expect(lane.laneRows).toBeGreaterThan(50)
    expect(slimQuoted).toBeGreaterThan(0)
  })

  it('leaves every row to the usual path in a zone other than UTC', async () => {
    const file = resultFile(customers, declared, 200, 4)
    const { stream } = customers
    const shape = createTableShape('salespro', stream, [], DEFAULT_CONTRACT, true)
    let asked = 0
    let given = 0
    async function* pages() {
      for await (const page of resultPages(customer, resultFileBatches(chunksOf(file, 4096), () => 0), { pageSize: 50, zone: 'America/Chicago', byteLane: true })) {
        const rows = page.rows
        yield rows ? { ...page, rows: { ...rows, encoder: (plan: LanePlan) => (asked++, rows.encoder(plan) && given++, rows.encoder(plan)) } } : page
      }
    }
    for await (const batch of prepareBatches(stream, pages(), 40, { shape, timeZone: 'America/Chicago', store: syncStore })) batch.prepared.rows.release()
    expect(asked).toBeGreaterThan(0)
    expect(given).toBe(0)
  })

  it('reads a declared column only when its schema accepts every value the lane would write', () => {
    const header = ['id', 'note', 'updated_at']
    const plan = { columns: header.map((name) => ({ name })), keyColumn: 'id', timeZone: 'UTC', slimRaw: false }
    const table = (note: z.ZodType) => ({
      schema: z.object({ id: col.key(), note, updated_at: col.timestampRequired() }),
      parsers: { id: parse.text, note: parse.text, updated_at: parse.timestamp },
      key: 'id',
      cursorColumn: 'updated_at',
    })
    expect(compileLane(header, table(col.text()), plan)).toBeDefined()
    // text the schema checks further: a key's non-empty text outside the key, digits, a refinement
    for (const note of [col.key(), col.bigint(), col.text().refine((v) => v !== 'x')]) expect(compileLane(header, table(note), plan)).toBeUndefined()
    // a timestamp column that may not be NULL, other than the cursor
    const strict = { ...table(col.text()), schema: z.object({ id: col.key(), note: col.timestampRequired(), updated_at: col.timestampRequired() }), parsers: { id: parse.text, note: parse.timestamp, updated_at: parse.timestamp } }
    expect(compileLane(header, strict, plan)).toBeUndefined()
  })
})
