import type { ErrorCode, SyncError } from '../../errors.ts'
import { backoffMs, type Backoff } from '../../retry.ts'

export { backoffMs }

/**
 * One table of retry rules by error code. Transient failures (throttling, 5xx, resets, timeouts,
 * a failed Athena query Athena calls retryable, PostgreSQL serialization and connection errors)
 * are retried with exponential backoff and full jitter, from the last committed page; terminal
 * ones (credentials, configuration, a bad request) never are: retrying cannot fix them.
 */
export interface RetryRule extends Backoff {
  retry: boolean
  /** attempts in all, the first included */
  maxAttempts: number
  baseMs: number
  maxMs: number
}

export const RETRY_RULES: Readonly<Record<ErrorCode, RetryRule>> = {
  rate_limited: { retry: true, maxAttempts: 8, baseMs: 2_000, maxMs: 120_000 },
  source_unavailable: { retry: true, maxAttempts: 6, baseMs: 1_000, maxMs: 60_000 },
  query_failed: { retry: true, maxAttempts: 4, baseMs: 5_000, maxMs: 60_000 },
  warehouse_failed: { retry: true, maxAttempts: 5, baseMs: 500, maxMs: 30_000 },
  source_bad_response: { retry: false, maxAttempts: 1, baseMs: 0, maxMs: 0 },
  auth_failed: { retry: false, maxAttempts: 1, baseMs: 0, maxMs: 0 },
  config_invalid: { retry: false, maxAttempts: 1, baseMs: 0, maxMs: 0 },
  busy: { retry: false, maxAttempts: 1, baseMs: 0, maxMs: 0 },
  circuit_open: { retry: false, maxAttempts: 1, baseMs: 0, maxMs: 0 },
  schema_changed: { retry: false, maxAttempts: 1, baseMs: 0, maxMs: 0 },
  cancelled: { retry: false, maxAttempts: 1, baseMs: 0, maxMs: 0 },
  internal: { retry: false, maxAttempts: 1, baseMs: 0, maxMs: 0 },
  // outcomes, never thrown: listed so that every code has one rule
  rejected_records: { retry: false, maxAttempts: 1, baseMs: 0, maxMs: 0 },
  deletions_refused: { retry: false, maxAttempts: 1, baseMs: 0, maxMs: 0 },
  max_records: { retry: false, maxAttempts: 1, baseMs: 0, maxMs: 0 },
  abandoned: { retry: false, maxAttempts: 1, baseMs: 0, maxMs: 0 },
}

/**
 * How long to wait before attempt `attempt + 1`, or undefined to give up. A wait the source asked
 * for (Retry-After, read by `parseRetryAfter`, at most 120 s) is honoured when it is longer than
 * the backoff (`backoffMs`, src/retry.ts: the one every client uses too).
 */
export function retryDelay(error: SyncError, attempt: number, options: { scale?: number; random?: () => number } = {}): number | undefined {
  const rule = RETRY_RULES[error.code]
  if (!rule.retry || !error.retryable || attempt >= rule.maxAttempts) return undefined
  const backoff = backoffMs(rule, attempt, options.random) * (options.scale ?? 1)
  return Math.max(backoff, error.retryAfterMs ?? 0)
}
