/**
 * One error class for the whole system. `code` says what kind of failure it is, and everything
 * keys on it: exit codes, alert kinds, and whether trying again can help (`RETRYABLE_CODES`, the
 * one place that decides it; src/ops/automation/retry-rules.ts only says how long to wait).
 */
export const ERROR_CODES = [
  'config_invalid', // bad flags, config file or environment: exit 2
  'auth_failed', // the source refused our credentials: exit 2
  'rate_limited', // the source asked us to slow down
  'daily_limit', // the source's daily request quota is used up: nothing to do before it resets
  'source_unavailable', // 5xx, resets, timeouts, throttling that outlasted our retries
  'source_bad_response', // the source answered something we cannot use
  'query_failed', // an Athena query ended FAILED in a way Athena says another try may fix (or ran too long)
  'query_refused', // an Athena query ended FAILED in a way no retry fixes: a missing table, bad SQL, no permission
  'warehouse_failed', // PostgreSQL refused or broke
  'busy', // another run of this stream holds the lock
  'schema_changed', // the source's shape changed and the stream's schema contract is `freeze`
  'circuit_open', // the source's circuit breaker refused the run: it failed too often just now
  'cancelled', // stopped by a signal or the user
  'internal', // a bug: everything not classified
  // the codes below name how a run ended rather than an error thrown: a run's error_code
  'rejected_records', // the run ended partial: some records had no usable key or cursor (crmsync.rejects)
  'deletions_refused', // the run ended partial: a full pass would have soft-deleted too much of the table
  'max_records', // the run ended partial: --max-records stopped it; the next run carries on
  'abandoned', // the run's process died; another process found it and marked it failed
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/**
 * The codes a retry may help: the failure was the source's or the warehouse's moment, not our
 * request. Every other code is terminal: retrying cannot fix credentials, config or a bad query.
 */
export const RETRYABLE_CODES = ['rate_limited', 'source_unavailable', 'query_failed', 'warehouse_failed'] as const satisfies readonly ErrorCode[]

export type RetryableCode = (typeof RETRYABLE_CODES)[number]

export const isRetryableCode = (code: ErrorCode): code is RetryableCode => (RETRYABLE_CODES as readonly ErrorCode[]).includes(code)

export class SyncError extends Error {
  readonly code: ErrorCode
  /** how long the source asked us to wait before retrying, when it said */
  readonly retryAfterMs: number | undefined

  constructor(code: ErrorCode, message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'SyncError'
    this.code = code
    this.retryAfterMs = options.retryAfterMs
  }

  /** whether trying again can help: decided by the code alone (`RETRYABLE_CODES`) */
  get retryable(): boolean {
    return isRetryableCode(this.code)
  }
}

export const isSyncError = (error: unknown): error is SyncError => error instanceof SyncError

/** Turns anything thrown into a SyncError, keeping the original as `cause`. */
export function coerceError(error: unknown): SyncError {
  if (error instanceof SyncError) return error
  if (error instanceof Error && error.name === 'AbortError') return new SyncError('cancelled', 'cancelled', { cause: error })
  const message = error instanceof Error ? error.message : String(error)
  return new SyncError('internal', message, { cause: error })
}

/** The CLI's exit code for an error that ends a command before any run starts. */
export const exitCodeFor = (error: SyncError): number =>
  error.code === 'config_invalid' || error.code === 'auth_failed' ? 2 : 1
