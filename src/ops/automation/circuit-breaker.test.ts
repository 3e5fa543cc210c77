import { describe, expect, it } from 'vitest'
import { admit, closedBreaker, recordFailure, recordSuccess, type Breaker } from './circuit-breaker.ts'

const fail = (b: Breaker, ...times: number[]) => times.reduce((acc, t) => recordFailure(acc, t), b)

describe('circuit breaker (5 failures in 60 s open it, a probe after 60 s, 3 successes close it)', () => {
  it('stays closed at 4 failures in the window, opens at the 5th', () => {
    const four = fail(closedBreaker(), 0, 1000, 2000, 3000)
    expect(four.state).toBe('closed')
    expect(fail(four, 4000)).toMatchObject({ state: 'open', openedAt: 4000 })
  })
  it('forgets failures older than the window', () => {
    const b = fail(closedBreaker(), 0, 1000, 2000, 3000, 61_001)
    expect(b.state).toBe('closed')
    expect(b.failures).toEqual([2000, 3000, 61_001])
  })
  it('refuses runs while open, then lets a probe through half-open after 60 s', () => {
    const open = fail(closedBreaker(), 0, 1, 2, 3, 4)
    expect(admit(open, 30_000)).toMatchObject({ allow: false, retryAt: 60_004 })
    const probe = admit(open, 60_004)
    expect(probe).toMatchObject({ allow: true, breaker: { state: 'half_open' } })
  })
  it('closes after 3 successes half-open, and reopens on any failure half-open', () => {
    const half = admit(fail(closedBreaker(), 0, 1, 2, 3, 4), 70_000).breaker
    const two = recordSuccess(recordSuccess(half, 70_001), 70_002)
    expect(two.state).toBe('half_open')
    expect(recordSuccess(two, 70_003)).toEqual(closedBreaker())
    expect(recordFailure(two, 70_003)).toMatchObject({ state: 'open', openedAt: 70_003 })
  })
  it('a success while closed clears the failure count', () => {
    expect(recordSuccess(fail(closedBreaker(), 0, 1, 2), 3).failures).toEqual([])
  })
})
