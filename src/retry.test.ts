import { describe, expect, it } from 'vitest'
import { backoffMs, parseRetryAfter, RETRY_AFTER_CAP_MS } from './retry.ts'

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')

  it('reads delta-seconds (fractions too) and HTTP-dates, a past date as 0', () => {
    expect(parseRetryAfter('2', now)).toBe(2000)
    expect(parseRetryAfter(' 0.5 ', now)).toBe(500)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0)
  })

  it('caps every source at the one documented cap, 120 s', () => {
    expect(RETRY_AFTER_CAP_MS).toBe(120_000)
    expect(parseRetryAfter('3600', now)).toBe(RETRY_AFTER_CAP_MS)
    expect(parseRetryAfter('Thu, 01 Jan 2026 01:00:00 GMT', now)).toBe(RETRY_AFTER_CAP_MS)
  })

  it('is undefined when absent or unreadable', () => {
    for (const header of [null, undefined, '', '  ', 'soon', '-1']) expect(parseRetryAfter(header, now)).toBeUndefined()
  })
})

describe('backoffMs', () => {
  it('doubles from base/2 .. base, capped at max', () => {
    const rule = { baseMs: 1000, maxMs: 5000 }
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(rule, a, () => 1))).toEqual([1000, 2000, 4000, 5000, 5000])
    expect([1, 2, 3].map((a) => backoffMs(rule, a, () => 0))).toEqual([500, 500, 500])
    expect(backoffMs({ baseMs: 200 }, 10, () => 1)).toBe(200 * 2 ** 9)
    expect(backoffMs({ baseMs: 0, maxMs: 0 }, 3)).toBe(0)
  })
})
