import { describe, expect, it } from 'vitest'
import { describeTiming, nextRun, parseEvery, validateCron } from './timing.ts'

describe('schedule timing', () => {
  it('parses durations and refuses nonsense', () => {
    expect(parseEvery('15m')).toBe(900)
    expect(parseEvery('1h30m')).toBe(5400)
    expect(parseEvery('30s')).toBe(30)
    expect(() => parseEvery('5s')).toThrow(/at least 10s/)
    expect(() => parseEvery('soon')).toThrow(/duration like 30s/)
    expect(() => parseEvery('15 minutes')).toThrow(/duration like/)
  })
  it('an interval fires on its grid and skips ticks missed while nothing ran', () => {
    const due = new Date('2026-01-01T00:00:00Z')
    expect(nextRun({ every_seconds: 60, cron: null, next_run_at: due }, new Date('2026-01-01T00:00:01Z')).toISOString()).toBe('2026-01-01T00:01:00.000Z')
    expect(nextRun({ every_seconds: 60, cron: null, next_run_at: due }, new Date('2026-01-01T00:10:30Z')).toISOString()).toBe('2026-01-01T00:11:00.000Z')
  })
  it('cron gives its next occurrence in UTC, and a bad expression is refused', () => {
    expect(nextRun({ every_seconds: null, cron: '*/15 * * * *' }, new Date('2026-01-01T00:07:00Z')).toISOString()).toBe('2026-01-01T00:15:00.000Z')
    expect(() => validateCron('every tuesday')).toThrow(/takes five fields/)
    expect(() => validateCron('61 * * * *')).toThrow(/not a cron expression/)
    // cron-parser would read six fields as seconds first: the help promises five
    expect(() => validateCron('0 0 3 * * *')).toThrow(/takes five fields .*has 6/)
    expect(() => validateCron('0 3 * *')).toThrow(/has 4/)
    expect(() => validateCron(' 0 3 * * * ')).not.toThrow()
    expect(describeTiming({ every_seconds: 900, cron: null })).toBe('every 15m')
  })
})
