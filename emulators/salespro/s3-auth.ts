import type { SigV4Failure } from './auth.ts'
import { S3Error } from './s3-errors.ts'

/** S3 allows fifteen minutes between the request's time and its own */
export const S3_MAX_SKEW_MS = 15 * 60_000

const isoSeconds = (at: Date | number) => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')
/** S3 spells the strings it compared out byte by byte too, as hex pairs */
const bytesOf = (text: string) => [...Buffer.from(text)].map((b) => b.toString(16).padStart(2, '0')).join(' ')

/**
 * A refused signature as S3 answers it, in its XML error: 403 InvalidAccessKeyId (unknown key
 * id), 403 SignatureDoesNotMatch (wrong secret, with what S3 computed), 403 RequestTimeTooSkewed,
 * 403 AccessDenied (anonymous, expired presigned url, unsigned x-amz-* headers) and 400 for an
 * Authorization or X-Amz-Credential that S3 cannot use as it is (wrong region, date, service).
 */
export function s3AuthError(failure: SigV4Failure): S3Error {
  switch (failure.kind) {
    case 'missing':
      return new S3Error(403, 'AccessDenied', 'Access Denied')
    case 'malformed':
      return failure.presigned
        ? new S3Error(400, 'AuthorizationQueryParametersError', failure.message)
        : malformed(false, failure.message)
    case 'payload-hash':
      return new S3Error(400, failure.message.startsWith('Missing') ? 'InvalidRequest' : 'InvalidArgument', failure.message)
    case 'unknown-key':
      return new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', {
        AWSAccessKeyId: failure.accessKeyId,
      })
    case 'wrong-scope': {
      const reason = {
        date: 'Invalid credential date. Date is not the same as X-Amz-Date.',
        region: `the region '${failure.got}' is wrong; expecting '${failure.expected}'`,
        service: `incorrect service "${failure.got}". This endpoint belongs to "${failure.expected}".`,
        terminator: `incorrect terminal "${failure.got}". This endpoint uses "${failure.expected}".`,
      }[failure.part]
      const error = malformed(failure.presigned, reason)
      // the SDK reads <Region> to learn where the bucket is
      return failure.part === 'region' ? new S3Error(error.status, error.code, error.message, { Region: failure.expected }) : error
    }
    case 'skewed':
      return new S3Error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
        RequestTime: failure.amzDate,
        ServerTime: isoSeconds(failure.now),
        MaxAllowedSkewMilliseconds: String(failure.maxSkewMs),
      })
    case 'expired':
      return new S3Error(403, 'AccessDenied', 'Request has expired', {
        'X-Amz-Expires': String(failure.expiresSeconds),
        Expires: isoSeconds(failure.signedAt + failure.expiresSeconds * 1000),
        ServerTime: isoSeconds(failure.now),
      })
    case 'unsigned-headers':
      return new S3Error(403, 'AccessDenied', 'There were headers present in the request which were not signed', {
        HeadersNotSigned: failure.names.join(', '),
      })
    case 'mismatch':
      return new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
        AWSAccessKeyId: failure.accessKeyId,
        StringToSign: failure.stringToSign,
        SignatureProvided: failure.signatureProvided,
        StringToSignBytes: bytesOf(failure.stringToSign),
        CanonicalRequest: failure.canonicalRequest,
        CanonicalRequestBytes: bytesOf(failure.canonicalRequest),
      })
  }
}

function malformed(presigned: boolean, reason: string): S3Error {
  return presigned
    ? new S3Error(400, 'AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; ${reason}`)
    : new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; ${reason}`)
}
