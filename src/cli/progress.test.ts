import { describe, expect, it } from 'vitest'
import { createEngineEvents } from '../engine/events.ts'
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
})
