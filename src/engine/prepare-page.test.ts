import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { col, columnsOf } from '../connectors/columns.ts'
import type { Page, Stream } from '../connectors/types.ts'
import { prepareBatches, type PreparedBatch } from './prepare-page.ts'

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

async function batchesOf(pages: Page<number>[], batchSize: number): Promise<PreparedBatch<number>[]> {
  const out: PreparedBatch<number>[] = []
  for await (const batch of prepareBatches(stream, (async function* () { yield* pages })(), batchSize)) out.push(batch)
  return out
}

describe('prepareBatches', () => {
  it('gathers small pages into batches of at least batchSize, with the last page cursor', async () => {
    const pages = [1, 2, 3, 4, 5].map((n) => ({ records: [record(`a${n}`, 'x'), record(`b${n}`, 'y')], cursor: n }))
    const batches = await batchesOf(pages, 3)
    expect(batches.map((b) => [b.prepared.fetched, b.cursor])).toEqual([[4, 2], [4, 4], [2, 5]])
    expect(batches[0].prepared.rows.keys).toEqual(['a1', 'b1', 'a2', 'b2'])
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

  it('carries a page of rejects and the validator rejects into the batch, keeping the rest', async () => {
    const pages = [{ records: [record('a', 7), record('b', 'ok')], rejects: [{ key: 'c', reason: 'no date', raw: {} }], cursor: 1 }]
    const [batch] = await batchesOf(pages, 100)
    expect(batch.prepared.fetched).toBe(3)
    expect(batch.prepared.rows.keys).toEqual(['b'])
    expect(batch.prepared.rejects.map((r) => r.key)).toEqual(['c', 'a'])
  })
})
