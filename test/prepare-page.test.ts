import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { col, columnsOf } from '../src/columns.ts'
import type { Page, Stream } from '../src/connectors/types.ts'
import { SyncError } from '../src/errors.ts'
import { prepareBatches, type PreparedBatch } from '../src/engine/prepare-page.ts'
import { createTableShape, DEFAULT_CONTRACT, type StreamContract } from '../src/engine/table-shape.ts'
import { syncStore } from '../src/warehouse/sync-store.ts'

const schema = z.object({ id: col.key(), name: col.text() })
const stream: Stream<number> = {
  name: 'things',
  recordSchema: schema,
  columns: columnsOf(schema, ['id']),
  primaryKey: ['id'],
  write: 'merge',
  cursorSchema: z.number(),
  read: () => (async function* () {})(),
}

const record = (id: string, name: unknown) => ({ values: { id, name }, raw: { id, name } })

async function batchesOf(pages: Page<number>[], batchSize: number, contract: StreamContract = DEFAULT_CONTRACT, tableIsNew = true): Promise<PreparedBatch<number>[]> {
  const out: PreparedBatch<number>[] = []
  const stored = tableIsNew ? [] : [{ column_name: 'id', sql_type: 'text', origin: 'declared' as const, appeared_at: null, dropped_at: null }]
  const shape = createTableShape('test', stream, stored, contract, tableIsNew)
  for await (const batch of prepareBatches(stream, (async function* () { yield* pages })(), batchSize, { shape, timeZone: 'UTC', store: syncStore })) out.push(batch)
  return out
}

const metaOf = (batch: PreparedBatch<number>, i: number) => {
  const field = batch.prepared.rows.line(i).toString().split('\t')[batch.prepared.columns.length + 3]
  return field === '\\N' ? null : JSON.parse(field)
}

describe('prepareBatches', () => {
  it('gathers small pages into batches of at least batchSize, with the last page cursor', async () => {
    const pages = [1, 2, 3, 4, 5].map((n) => ({ records: [record(`a${n}`, 'x'), record(`b${n}`, 'y')], cursor: n }))
    const batches = await batchesOf(pages, 3)
    expect(batches.map((b) => [b.prepared.fetched, b.cursor])).toEqual([[4, 2], [4, 4], [2, 5]])
    // the batch's rows in key order (src/warehouse/staged-rows.ts)
    expect(batches[0].prepared.rows.keys).toEqual(['a1', 'a2', 'b1', 'b2'])
  })

  it('ends a batch at ~8 MB of rows however many records it was asked for, and at batchSize when that comes first', async () => {
    // rows of ~20 KB each (a 10 KB name, in its column and in _raw): 8 MB is ~420 of them, and whole pages of 100 are added until a batch passes it
    const wide = Array.from({ length: 10 }, (_, p) => ({ cursor: p, records: Array.from({ length: 100 }, (_, i) => record(`k${p * 100 + i}`, 'x'.repeat(10_000))) }))
    expect((await batchesOf(wide, 100_000)).map((b) => b.prepared.rows.count)).toEqual([500, 500])
    expect((await batchesOf(wide, 300)).map((b) => b.prepared.rows.count)).toEqual([300, 300, 300, 100])
  })

  it('keeps the last version of a key read twice in one batch, and counts both as fetched', async () => {
    const pages = [{ records: [record('a', 'old')], cursor: 1 }, { records: [record('a', 'new')], cursor: 2 }]
    const [batch] = await batchesOf(pages, 10)
    expect(batch.prepared.fetched).toBe(2)
    expect(batch.prepared.rows.count).toBe(1)
    expect(batch.prepared.rows.line(0).toString()).toContain('new')
  })

  it('commits an empty page that moves the cursor at once, with what came before it', async () => {
    const pages = [{ records: [record('a', 'x')], cursor: 1 }, { records: [], cursor: 2 }, { records: [record('b', 'y')], cursor: 3 }]
    const batches = await batchesOf(pages, 100)
    expect(batches.map((b) => [b.prepared.fetched, b.cursor])).toEqual([[1, 2], [1, 3]])
  })

  it('carries a page of rejects into the batch; the validator rejects only a record without a usable key', async () => {
    const pages = [{ records: [record('', 'x'), record('b', 'ok')], rejects: [{ key: 'c', reason: 'no date', raw: {} }], cursor: 1 }]
    const [batch] = await batchesOf(pages, 100)
    expect(batch.prepared.fetched).toBe(3)
    expect(batch.prepared.rows.keys).toEqual(['b'])
    expect(batch.prepared.rejects.map((r) => r.reason)).toEqual(['no date', 'id: empty key'])
  })

  it('stores a record whose field does not fit with that field NULL and a _meta change, and counts it coerced', async () => {
    const pages = [{ records: [record('a', 7), record('b', 'ok')], cursor: 1 }]
    const [batch] = await batchesOf(pages, 100)
    expect(batch.prepared.rows.keys).toEqual(['a', 'b'])
    expect(batch.prepared.coerced).toBe(1)
    expect(batch.prepared.rows.line(0).toString().split('\t')[1]).toBe('\\N')
    expect(metaOf(batch, 0)).toEqual({ changes: [{ field: 'name', change: 'nulled', reason: expect.stringContaining('string') }] })
    expect(metaOf(batch, 1)).toBeNull()
  })

  it('adds a field the source grew as a column, closing the batch before it, and types its values', async () => {
    const schema = { fields: [{ name: 'score', type: 'integer' as const }], complete: false }
    const withScore = (id: string, score: unknown) => ({ ...record(id, 'x'), fields: { score } })
    const pages = [{ records: [record('a', 'x')], cursor: 1 }, { records: [withScore('b', '12.0'), withScore('c', 'lots')], cursor: 2, schema }]
    const batches = await batchesOf(pages, 100, DEFAULT_CONTRACT, false)
    expect(batches.map((b) => b.prepared.columns.map((c) => c.name))).toEqual([['id', 'name'], ['id', 'name', 'score']])
    expect(batches[1].prepared.schemaChanges).toEqual([{ column: 'score', change: 'added', fromType: null, toType: 'integer', origin: 'source' }])
    expect(batches[1].prepared.rows.line(0).toString().split('\t')[2]).toBe('12')
    expect(metaOf(batches[1], 1)).toEqual({ changes: [{ field: 'score', change: 'nulled', reason: 'not an integer' }] })
  })

  it('reads a column an earlier run added from the key the source names it by, not from the column name', async () => {
    // SalesRabbit's loyaltyTier became loyalty_tier in an earlier run: the warehouse knows only the column
    const stored = [
      { column_name: 'id', sql_type: 'text', origin: 'declared' as const, appeared_at: null, dropped_at: null },
      { column_name: 'name', sql_type: 'text', origin: 'declared' as const, appeared_at: null, dropped_at: null },
      { column_name: 'loyalty_tier', sql_type: 'text', origin: 'inferred' as const, appeared_at: null, dropped_at: null },
    ]
    const shape = createTableShape('test', stream, stored, DEFAULT_CONTRACT, false)
    const schema = { fields: [{ name: 'loyalty_tier', from: 'loyaltyTier', type: 'text' as const }], complete: false, inferred: true }
    const tier = (id: string, loyaltyTier: string | null) => ({ ...record(id, 'x'), fields: { loyaltyTier } })
    // a page whose records hold no value does not name the field (nothing to infer a type from)
    const pages = [{ records: [tier('a', null)], cursor: 1 }, { records: [tier('b', 'Gold')], cursor: 2, schema }]
    const batches: PreparedBatch<number>[] = []
    for await (const batch of prepareBatches(stream, (async function* () { yield* pages })(), 100, { shape, timeZone: 'UTC', store: syncStore })) batches.push(batch)
    expect(batches.map((b) => b.prepared.schemaChanges)).toEqual([[]])
    const tiers = [0, 1].map((i) => batches[0].prepared.rows.line(i).toString().split('\t')[2])
    expect(tiers).toEqual(['\\N', 'Gold'])
  })

  it('keeps a new field out of the table under discard_new, and fails before the page under freeze', async () => {
    const schema = { fields: [{ name: 'score', type: 'integer' as const }], complete: false }
    const pages = [{ records: [{ ...record('a', 'x'), fields: { score: 1 } }], cursor: 1, schema }]
    const [kept] = await batchesOf(pages, 100, { schema: 'discard_new', columns: {} }, false)
    expect(kept.prepared.columns.map((c) => c.name)).toEqual(['id', 'name'])
    expect(kept.prepared.schemaChanges).toEqual([])
    const frozen = batchesOf(pages, 100, { schema: 'freeze', columns: {} }, false)
    await expect(frozen).rejects.toThrow(SyncError)
    await expect(frozen).rejects.toMatchObject({ code: 'schema_changed', message: expect.stringContaining('score (new, integer)') })
    // a table this run creates takes the source's shape whatever the contract
    const [created] = await batchesOf(pages, 100, { schema: 'freeze', columns: {} }, true)
    expect(created.prepared.columns.map((c) => c.name)).toEqual(['id', 'name', 'score'])
  })
})
