import { isRetryableCode, type RetryableCode, type SyncError } from '../../errors.ts'
import { backoffMs, type Backoff } from '../../retry.ts'

export { backoffMs }

/**
 * How the engine retries a read that failed retryable: attempts and backoff, by error code. Which
 * codes are retried at all is decided in one place, `RETRYABLE_CODES` (src/errors.ts): transient
 * failures (throttling, 5xx, resets, timeouts, an Athena query Athena says may succeed again) are
 * retried from the last committed page with exponential backoff and full jitter; terminal ones
 * (credentials, configuration, a bad request, a query Athena refused) never are.
 */
export interface RetryRule extends Backoff {
  /** attempts in all, the first included */
  maxAttempts: number
  baseMs: number
  maxMs: number
}

export const RETRY_RULES: Readonly<Record<RetryableCode, RetryRule>> = {
  rate_limited: { maxAttempts: 8, baseMs: 2_000, maxMs: 120_000 },
  source_unavailable: { maxAttempts: 6, baseMs: 1_000, maxMs: 60_000 },
  query_failed: { maxAttempts: 4, baseMs: 5_000, maxMs: 60_000 },
  warehouse_failed: { maxAttempts: 5, baseMs: 500, maxMs: 30_000 },
}

/**
 * How long to wait before attempt `attempt + 1`, or undefined to give up. A wait the source asked
 * for (Retry-After, read by `parseRetryAfter`, at most 120 s) is honoured when it is longer than
 * the backoff (`backoffMs`, src/retry.ts: the one every client uses too).
 */
export function retryDelay(error: SyncError, attempt: number, options: { scale?: number; random?: () => number } = {}): number | undefined {
  if (!isRetryableCode(error.code)) return undefined
  const rule = RETRY_RULES[error.code]
  if (attempt >= rule.maxAttempts) return undefined
  const backoff = backoffMs(rule, attempt, options.random) * (options.scale ?? 1)
  return Math.max(backoff, error.retryAfterMs ?? 0)
}
