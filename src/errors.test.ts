import { describe, expect, it } from 'vitest'
import { ERROR_CODES, RETRYABLE_CODES, SyncError } from './errors.ts'
import { RETRY_RULES, retryDelay } from './ops/automation/retry-rules.ts'

describe('retryability is decided by the code alone', () => {
  it('every code the rules can wait on is retryable, and only those', () => {
    expect(Object.keys(RETRY_RULES).sort()).toEqual([...RETRYABLE_CODES].sort())
  })

  it('a terminal code never gets a wait, whatever the source asked for', () => {
    for (const code of ERROR_CODES.filter((c) => !(RETRYABLE_CODES as readonly string[]).includes(c))) {
      const error = new SyncError(code, 'x', { retryAfterMs: 1_000 })
      expect(error.retryable, code).toBe(false)
      expect(retryDelay(error, 1), code).toBeUndefined()
    }
  })

  it('a retryable code waits at least what the source asked, until its attempts run out', () => {
    const error = new SyncError('rate_limited', '429', { retryAfterMs: 90_000 })
    expect(error.retryable).toBe(true)
    expect(retryDelay(error, 1, { random: () => 0 })).toBe(90_000)
    expect(retryDelay(error, RETRY_RULES.rate_limited.maxAttempts)).toBeUndefined()
  })

  it("Athena's refusals and HubSpot's used-up daily limit are their own, terminal codes", () => {
    expect(new SyncError('query_refused', 'TABLE_NOT_FOUND').retryable).toBe(false)
    expect(new SyncError('daily_limit', '429 DAILY').retryable).toBe(false)
    expect(new SyncError('query_failed', 'INTERNAL_ERROR').retryable).toBe(true)
  })
})
