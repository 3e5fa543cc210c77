import { SyncError } from '../../errors.ts'

/** the signature did not verify: the secret does not belong to the key id (or the clock or region is off) */
const SIGNATURE = new Set(['SignatureDoesNotMatch', 'InvalidSignatureException', 'IncompleteSignatureException', 'AuthorizationHeaderMalformed', 'RequestTimeTooSkewed'])
/** AWS does not know the access key id */
const UNKNOWN_KEY = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidAccessKeyId'])
const AUTH = new Set([...SIGNATURE, ...UNKNOWN_KEY, 'MissingAuthenticationTokenException', 'ExpiredTokenException', 'AccessDeniedException', 'AuthFailure'])
const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException', 'Throttling', 'SlowDown', 'RequestLimitExceeded'])
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'TimeoutError', 'socket hang up'])

/** Which setting to look at, from what AWS said. Never the values: the message is printed and stored. */
function credentialHint(name: string, message: string): string {
  if (name === 'RequestTimeTooSkewed' || /Signature expired|not yet current/.test(message))
    return "the request's time is too far from AWS's: check this machine's clock"
  if (/region/i.test(message)) return 'the credentials are scoped to another region: check SALESPRO_SERVER_REGION'
  if (SIGNATURE.has(name)) return 'AWS could not verify the request signature: SALESPRO_SECRET_ACCESS_KEY is not the secret of SALESPRO_ACCESS_KEY_ID'
  if (UNKNOWN_KEY.has(name)) return 'AWS does not know SALESPRO_ACCESS_KEY_ID'
  return 'the credentials may lack permission'
}

/**
 * Classifies an AWS SDK failure (after the SDK's own retries) as a SyncError. Auth problems are
 * terminal (exit 2); throttling, 5xx and dropped connections are worth retrying later.
 */
export function mapAwsError(error: unknown, operation: string): SyncError {
  if (error instanceof SyncError) return error
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; $fault?: string }
  const name = e?.name ?? 'Error'
  const status = e?.$metadata?.httpStatusCode
  // AWS explains a refused signature at length (the canonical request it expected): the first line says it
  const said = (e?.message ?? '').split('\n')[0].trim()
  const message = `${operation}: ${name}${said && said !== name ? `: ${said}` : ''}`
  if (AUTH.has(name) || status === 401)
    return new SyncError('auth_failed', `${message} (${credentialHint(name, said)}). Check SALESPRO_ACCESS_KEY_ID and SALESPRO_SECRET_ACCESS_KEY.`, { cause: error })
  if (THROTTLING.has(name) || status === 429) return new SyncError('rate_limited', message, { cause: error })
  if (NETWORK.has(e?.code ?? '') || NETWORK.has(name) || /socket hang up|ECONNRESET|ECONNREFUSED|ETIMEDOUT/.test(e?.message ?? ''))
    return new SyncError('source_unavailable', message, { cause: error })
  if ((status !== undefined && status >= 500) || e?.$fault === 'server' || name === 'InternalServerException')
    return new SyncError('source_unavailable', message, { cause: error })
  if (name === 'AbortError') return new SyncError('cancelled', `${operation} cancelled`, { cause: error })
  return new SyncError('source_bad_response', message, { cause: error })
}
