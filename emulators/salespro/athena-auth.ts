import { amzDate, type SigV4Failure } from './auth.ts'
import {
  incompleteSignature,
  invalidSignature,
  missingAuthenticationToken,
  unrecognizedClient,
  type AthenaApiError,
} from './athena-errors.ts'

/** Athena verifies signatures within five minutes of its clock, as AWS JSON services do. */
export const ATHENA_MAX_SKEW_MS = 5 * 60_000

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

/**
 * A refused signature as Athena (an AWS JSON-1.1 service) answers it: `400` with `__type`
 * UnrecognizedClientException (unknown access key id), InvalidSignatureException (wrong
 * secret, scope or time), IncompleteSignatureException or MissingAuthenticationTokenException.
 * A mismatch explains itself with the canonical request and string to sign the service expected,
 * which is what a developer compares against their own.
 */
export function athenaAuthError(failure: SigV4Failure): AthenaApiError {
  switch (failure.kind) {
    case 'missing':
      return missingAuthenticationToken()
    case 'malformed':
    case 'payload-hash':
      return incompleteSignature(failure.message)
    case 'unsigned-headers':
      return incompleteSignature(`Headers ${failure.names.join(', ')} are present in the request but not signed.`)
    case 'unknown-key':
      return unrecognizedClient()
    case 'wrong-scope':
      return invalidSignature(wrongScope(failure))
    case 'skewed':
    case 'expired':
      return invalidSignature(staleness(failure, 'maxSkewMs' in failure ? failure.maxSkewMs : ATHENA_MAX_SKEW_MS))
    case 'mismatch':
      return invalidSignature(
        `${MISMATCH}\n\nThe Canonical String for this request should have been\n'${failure.canonicalRequest}'\n\n` +
          `The String-to-Sign should have been\n'${failure.stringToSign}'\n`,
      )
  }
}

function wrongScope(failure: Extract<SigV4Failure, { kind: 'wrong-scope' }>): string {
  switch (failure.part) {
    case 'date':
      return (
        `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ` +
        `'${failure.got}' != '${failure.expected}', from '${failure.amzDate}'.`
      )
    case 'region':
      return `Credential should be scoped to a valid region, not '${failure.got}'. `
    case 'service':
      return `Credential should be scoped to correct service: '${failure.expected}'. `
    case 'terminator':
      return `Credential should be scoped with a valid terminator: 'aws4_request', not '${failure.got}'. `
  }
}

/**
 * "Signature expired" is the wording the AWS SDK looks for: it corrects its clock from the
 * answer's Date header and signs again, so a skewed client recovers as it does against AWS.
 */
function staleness({ amzDate: signed, signedAt, now }: { amzDate: string; signedAt: number; now: Date }, maxSkewMs: number): string {
  const minutes = Math.round(maxSkewMs / 60_000)
  if (signedAt < now.getTime()) {
    const limit = amzDate(new Date(now.getTime() - maxSkewMs))
    return `Signature expired: ${signed} is now earlier than ${limit} (${amzDate(now)} - ${minutes} min.)`
  }
  const limit = amzDate(new Date(now.getTime() + maxSkewMs))
  return `Signature not yet current: ${signed} is still later than ${limit} (${amzDate(now)} + ${minutes} min.)`
}
