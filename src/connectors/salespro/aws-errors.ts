import { SyncError } from '../../errors.ts'

const AUTH = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'AccessDeniedException',
  'AuthFailure',
])
const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'SlowDown', 'RequestLimitExceeded'])
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'TimeoutError', 'socket hang up'])

/**
 * Classifies an AWS SDK failure (after the SDK's own retries) as a SyncError. Auth problems are
 * terminal (exit 2); throttling, 5xx and dropped connections are worth retrying later.
 */
export function mapAwsError(error: unknown, operation: string): SyncError {
  if (error instanceof SyncError) return error
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; $fault?: string }
  const name = e?.name ?? 'Error'
  const status = e?.$metadata?.httpStatusCode
  const message = `${operation}: ${name}${e?.message && e.message !== name ? `: ${e.message}` : ''}`
  if (AUTH.has(name) || status === 401)
    return new SyncError('auth_failed', `${message}. Check SALESPRO_ACCESS_KEY_ID and SALESPRO_SECRET_ACCESS_KEY.`, { cause: error })
  if (THROTTLING.has(name) || status === 429) return new SyncError('rate_limited', message, { retryable: true, cause: error })
  if (NETWORK.has(e?.code ?? '') || NETWORK.has(name) || /socket hang up|ECONNRESET|ECONNREFUSED|ETIMEDOUT/.test(e?.message ?? ''))
    return new SyncError('source_unavailable', message, { retryable: true, cause: error })
  if ((status !== undefined && status >= 500) || e?.$fault === 'server' || name === 'InternalServerException')
    return new SyncError('source_unavailable', message, { retryable: true, cause: error })
  if (name === 'AbortError') return new SyncError('cancelled', `${operation} cancelled`, { cause: error })
  return new SyncError('source_bad_response', message, { cause: error })
}
