import { describe, expect, it } from 'vitest'
import { createEngineEvents, type EngineEvents, type ReadProgress } from '../engine/events.ts'
import { emptySummary } from '../engine/summary.ts'
import { showProgress, totalLine } from './progress.ts'

/** A stream off a terminal that keeps what is written to it. */
const plainStream = () => {
  const written: string[] = []
  return { written, stream: { isTTY: false, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream }
}

const until = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 30_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('progress off a terminal', () => {
  it('says every few seconds how far each running stream got, and each stream summary the moment it ends', async () => {
    const events = createEngineEvents()
    const { written, stream } = plainStream()
    const summaries: string[] = []
    const stop = showProgress(events, { stream, everyMs: 20, summary: (line) => summaries.push(line) })
    try {
      events.emit('run:start', { runId: 1, source: 'src', stream: 'items', mode: 'full', trigger: 'test', reason: 'test' })
      const totals = { fetched: 1200, inserted: 1200, updated: 0, unchanged: 0, rejected: 0, coerced: 0, deleted: 0, fetchMs: 1, writeMs: 1 }
      events.emit('page:committed', { runId: 1, source: 'src', stream: 'items', pageNo: 3, page: totals, totals, cursor: undefined })
      await until(() => written.some((w) => w.includes('src.items 1,200 rows')), 'a progress line')
      expect(written.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true)
      const summary = { ...emptySummary('src', 'items', 'full', false), runId: 1, status: 'succeeded' as const, fetched: 1200, inserted: 1200, durationMs: 900 }
      events.emit('run:end', { summary })
      expect(summaries).toHaveLength(1)
      expect(summaries[0]).toMatch(/^✓ src\.items {2}succeeded {2}full: 1,200 fetched/)
    } finally {
      stop()
    }
  })

  it('ends a sync of several streams with their grand total', () => {
    const run = (stream: string, fetched: number) => ({ ...emptySummary('src', stream, 'full', false), status: 'succeeded' as const, fetched, inserted: fetched })
    expect(totalLine([run('a', 1000), run('b', 234)], 65_000)).toBe('= 2 streams, 2 succeeded: 1,234 fetched, 1,234 inserted, 0 updated, 0 unchanged, 0 rejected, 0 deleted in 65.0 s')
  })

  describe('with the size a source told', () => {
    const counts = (fetched: number) => ({ fetched, inserted: fetched, updated: 0, unchanged: 0, rejected: 0, coerced: 0, deleted: 0, fetchMs: 1, writeMs: 1 })
    /** progress off a terminal on a clock the test moves, and what it wrote */
    const watch = (options: { sources?: number } = {}) => {
      const events = createEngineEvents()
      const clock = { ms: 0 }
      const { written, stream } = plainStream()
      const stop = showProgress(events, { stream, everyMs: 20, summary: () => {}, now: () => clock.ms, ...options })
      const lineWith = async (text: string) => {
        await until(() => written.some((w) => w.includes(text)), `a progress line with ${JSON.stringify(text)}`)
        return written.findLast((w) => w.includes(text))!
      }
      return { events, clock, written, stop, lineWith }
    }
    const start = (events: EngineEvents, stream: string) => events.emit('run:start', { runId: 1, source: 'src', stream, mode: 'full', trigger: 'test', reason: 'test' })
    const commit = (events: EngineEvents, stream: string, fetched: number, progress?: ReadProgress) =>
      events.emit('page:committed', { runId: 1, source: 'src', stream, pageNo: 1, page: counts(fetched), totals: counts(fetched), cursor: undefined, progress })

    it('shows a stream sized in records as n / total, its percent and the ETA at its pace since the size was told', async () => {
      const { events, clock, stop, lineWith } = watch()
      try {
        start(events, 'items')
        clock.ms = 1_000
        events.emit('connector', { source: 'src', stream: 'items', type: 'size', records: 5_000 })
        clock.ms = 3_000
        commit(events, 'items', 1_000, { unit: 'records', done: 1_000, total: 5_000 })
        // 1,000 records in the 2 s since the size was told: 4,000 more take 8 s
        expect(await lineWith('src.items 1,000 / 5,000')).toBe('… src.items 1,000 / 5,000 rows 20% ETA 8.0 s 333/s 3.0 s\n')
        clock.ms = 5_000
        commit(events, 'items', 5_000, { unit: 'records', done: 5_000, total: 5_000 })
        expect(await lineWith('src.items 5,000 / 5,000')).toBe('… src.items 5,000 / 5,000 rows 100% 1,000/s 5.0 s\n')
      } finally {
        stop()
      }
    })

    it('paces the ETA over the last half minute of commits, so a read that speeds up is not judged by its slow start', async () => {
      const { events, clock, stop, lineWith } = watch()
      try {
        start(events, 'items')
        events.emit('connector', { source: 'src', stream: 'items', type: 'size', records: 5_000 })
        clock.ms = 40_000
        commit(events, 'items', 1_000, { unit: 'records', done: 1_000, total: 5_000 })
        clock.ms = 50_000
        commit(events, 'items', 3_000, { unit: 'records', done: 3_000, total: 5_000 })
        clock.ms = 75_000
        commit(events, 'items', 4_000, { unit: 'records', done: 4_000, total: 5_000 })
        // 3,000 records in the 35 s since the commit at 40 s: 1,000 more take 12 s (its whole 75 s would say 19)
        expect(await lineWith('src.items 4,000 / 5,000')).toMatch(/ 80% ETA 12\.0 s /)
        clock.ms = 80_000
        // counted down between commits
        expect(await lineWith('src.items 4,000 / 5,000 rows 80% ETA 7.0 s')).toMatch(/ETA 7\.0 s/)
      } finally {
        stop()
      }
    })

    it('shows a stream sized in bytes with its rows, the bytes read of the total, percent and ETA', async () => {
      const { events, clock, stop, lineWith } = watch()
      try {
        start(events, 'table')
        events.emit('connector', { source: 'src', stream: 'table', type: 'size', bytes: 4 * 1024 ** 2 })
        clock.ms = 10_000
        commit(events, 'table', 600, { unit: 'bytes', done: 1024 ** 2, total: 4 * 1024 ** 2 })
        expect(await lineWith('src.table 600 rows')).toBe('… src.table 600 rows, 1.0 MiB / 4.0 MiB 25% ETA 30.0 s 60/s 10.0 s\n')
      } finally {
        stop()
      }
    })

    it('drops the total when a later read of the run tells none, and never shows one for a source that told none', async () => {
      const { events, clock, stop, lineWith } = watch()
      try {
        start(events, 'items')
        events.emit('connector', { source: 'src', stream: 'items', type: 'size', records: 100 })
        clock.ms = 1_000
        commit(events, 'items', 100, { unit: 'records', done: 100, total: 100 })
        await lineWith('src.items 100 / 100 rows')
        // the catch-up read after it: a list the source does not size
        commit(events, 'items', 150)
        expect(await lineWith('src.items 150 rows')).toBe('… src.items 150 rows 150/s 1.0 s\n')
      } finally {
        stop()
      }
    })

    it("shows the whole sync's total once every stream it runs is sized or ended, and not before", async () => {
      const { events, clock, written, stop, lineWith } = watch({ sources: 1 })
      try {
        events.emit('streams:listed', { source: 'src', streams: ['a', 'b', 'c'] })
        start(events, 'a')
        events.emit('run:end', { summary: { ...emptySummary('src', 'a', 'full', false), status: 'succeeded', fetched: 1_000 } })
        start(events, 'b')
        events.emit('connector', { source: 'src', stream: 'b', type: 'size', records: 3_000 })
        clock.ms = 2_000
        commit(events, 'b', 1_500, { unit: 'records', done: 1_500, total: 3_000 })
        // c has not started: its size is unknown, and so is the whole
        await lineWith('src.b 1,500 / 3,000')
        start(events, 'c')
        events.emit('connector', { source: 'src', stream: 'c', type: 'size', bytes: 10_000 })
        commit(events, 'c', 10, { unit: 'bytes', done: 100, total: 10_000 })
        // c told bytes, not records: still no total for the whole
        await lineWith('src.c 10 rows, 100 B / 9.8 KiB')
        expect(written.some((w) => w.includes('all '))).toBe(false)
        events.emit('run:end', { summary: { ...emptySummary('src', 'c', 'full', false), status: 'succeeded', fetched: 500 } })
        // a: 1,000 ended; b: 1,500 of 3,000 (ETA 2 s at its pace); c: 500 ended
        expect(await lineWith('all ')).toBe('… src.b 1,500 / 3,000 rows 50% ETA 2.0 s 750/s 2.0 s  │  all 3,000 / 4,500 rows 66% ETA 2.0 s\n')
      } finally {
        stop()
      }
    })
  })
})
