import { describe, expect, it } from 'vitest'
import { pollWaitMs } from './poll-schedule.ts'

/** the moments a query started at 0 is asked about, up to `untilMs` */
function polls(untilMs: number, maxPollMs: number, wait = pollWaitMs): number[] {
  const at = [0]
  while (at.at(-1)! < untilMs) at.push(at.at(-1)! + wait(at.at(-1)!, maxPollMs))
  return at
}

describe('the polling of a running Athena query', () => {
  it('sees a query of a few milliseconds done within ~25 ms, never polling more often than every 10 ms', () => {
    const early = polls(30, 1000)
    expect(early.slice(0, 3)).toEqual([0, 10, 25])
    for (let waited = 0; waited < 5000; waited += 7) expect(pollWaitMs(waited, 1000)).toBeGreaterThanOrEqual(10)
  })

  it('waits a tenth of the time waited once past half a second, at most maxPollMs', () => {
    expect(pollWaitMs(100, 1000)).toBe(50)
    expect(pollWaitMs(2000, 1000)).toBe(200)
    expect(pollWaitMs(60_000, 1000)).toBe(1000)
    expect(pollWaitMs(60_000, 250)).toBe(250)
  })

  it('costs a long query at most three calls more than polling from 50 ms did', () => {
    const before = (waited: number, max: number) => Math.min(Math.max(50, waited / 10), max)
    for (const seconds of [0.5, 2, 30]) {
      const added = polls(seconds * 1000, 1000).length - polls(seconds * 1000, 1000, before).length
      expect(added).toBeGreaterThan(0)
      expect(added).toBeLessThanOrEqual(3)
    }
  })
})
