import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import {
  canonicalHeaders,
  canonicalPath,
  canonicalQuery,
  canonicalRequest,
  queryParameters,
  signature,
  stringToSign,
} from './sigv4-canonical.ts'

/** the one account the emulator knows, and the region its endpoints are in */
export interface AwsIdentity {
  accessKeyId: string
  secretAccessKey: string
  region: string
}

/**
 * Why AWS would refuse a request's signature. Each API words these its own way (Athena JSON,
 * S3 XML), so the verdict carries facts, not messages — except `malformed`, whose text is the
 * same list of what is missing for both.
 */
export type SigV4Failure =
  | { kind: 'missing' }
  | { kind: 'malformed'; message: string; presigned: boolean }
  | { kind: 'payload-hash'; message: string }
  | { kind: 'unknown-key'; accessKeyId: string }
  | { kind: 'wrong-scope'; part: 'date' | 'region' | 'service' | 'terminator'; got: string; expected: string; amzDate: string; presigned: boolean }
  | { kind: 'skewed'; amzDate: string; signedAt: number; now: Date; maxSkewMs: number }
  | { kind: 'expired'; amzDate: string; signedAt: number; expiresSeconds: number; now: Date }
  | { kind: 'unsigned-headers'; names: string[] }
  | { kind: 'mismatch'; accessKeyId: string; canonicalRequest: string; stringToSign: string; signatureProvided: string }

export interface VerifyOptions {
  /** the signing name in the credential scope: `athena`, `s3` */
  service: string
  identity: AwsIdentity
  /** SHA-256 of the body, for services that hash the payload themselves (all but S3) */
  bodyHash?: string
  /** how far the request's time may be from ours: Athena 5 minutes, S3 15 */
  maxSkewMs: number
  now?: Date
}

const PRESIGNED_PARAMETERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600
/** the payload hashes S3 takes literally instead of a SHA-256: unsigned, or chunk-signed bodies */
const S3_LITERAL_HASHES = new Set([
  'UNSIGNED-PAYLOAD',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
])

interface Claimed {
  presigned: boolean
  credential: string
  signedHeaders: string[]
  signature: string
  amzDate: string
  expiresSeconds?: number
}

/**
 * Verifies AWS Signature Version 4 as the service would: who signed (the access key id), for
 * which day, region and service, when, and whether the signature is the HMAC the secret gives
 * over the request as it arrived. Undefined when the request is authentic.
 */
export function verifySigV4(req: IncomingMessage, options: VerifyOptions): SigV4Failure | undefined {
  const now = options.now ?? new Date()
  const [rawPath, rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s)
  const parameters = queryParameters(rawQuery)
  const claimed = claim(req, parameters)
  if (!claimed || 'kind' in claimed) return claimed

  const [accessKeyId, date, region, service, terminator, ...extra] = claimed.credential.split('/')
  if (terminator === undefined || extra.length > 0) {
    const message = `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
    return { kind: 'malformed', message, presigned: claimed.presigned }
  }
  if (accessKeyId !== options.identity.accessKeyId) return { kind: 'unknown-key', accessKeyId }
  const signedAt = parseAmzDate(claimed.amzDate)
  if (signedAt === undefined) {
    const message = `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'", not "${claimed.amzDate}".`
    return { kind: 'malformed', message, presigned: claimed.presigned }
  }
  const scopeFailure = (part: 'date' | 'region' | 'service' | 'terminator', got: string, expected: string) =>
    got === expected ? undefined : ({ kind: 'wrong-scope', part, got, expected, amzDate: claimed.amzDate, presigned: claimed.presigned } as const)
  const wrongScope =
    scopeFailure('date', date, claimed.amzDate.slice(0, 8)) ??
    scopeFailure('region', region, options.identity.region) ??
    scopeFailure('service', service, options.service) ??
    scopeFailure('terminator', terminator, 'aws4_request')
  if (wrongScope) return wrongScope

  if (claimed.expiresSeconds !== undefined) {
    // a presigned url is good from its date until its expiry, however old the date
    if (now.getTime() > signedAt + claimed.expiresSeconds * 1000) {
      return { kind: 'expired', amzDate: claimed.amzDate, signedAt, expiresSeconds: claimed.expiresSeconds, now }
    }
    if (signedAt - now.getTime() > options.maxSkewMs) return { kind: 'skewed', amzDate: claimed.amzDate, signedAt, now, maxSkewMs: options.maxSkewMs }
  } else if (Math.abs(now.getTime() - signedAt) > options.maxSkewMs) {
    return { kind: 'skewed', amzDate: claimed.amzDate, signedAt, now, maxSkewMs: options.maxSkewMs }
  }

  if (options.service === 's3') {
    const unsigned = Object.keys(req.headers).filter((name) => name.startsWith('x-amz-') && !claimed.signedHeaders.includes(name))
    if (unsigned.length > 0) return { kind: 'unsigned-headers', names: unsigned.sort() }
  }
  const payloadHash = options.service === 's3' ? s3PayloadHash(req, parameters, claimed.presigned) : options.bodyHash
  if (typeof payloadHash !== 'string') return payloadHash ?? { kind: 'payload-hash', message: 'the request body was not hashed' }

  const canonical = canonicalRequest({
    method: req.method ?? 'GET',
    path: canonicalPath(rawPath, options.service),
    query: canonicalQuery(parameters),
    headers: canonicalHeaders(req, claimed.signedHeaders),
    signedHeaders: claimed.signedHeaders,
    payloadHash,
  })
  const scope = [date, region, service, terminator].join('/')
  const toSign = stringToSign(claimed.amzDate, scope, canonical)
  const expected = signature(options.identity.secretAccessKey, scope, toSign)
  if (sameSignature(expected, claimed.signature)) return undefined
  return { kind: 'mismatch', accessKeyId, canonicalRequest: canonical, stringToSign: toSign, signatureProvided: claimed.signature }
}

/** what the request says about its signature: the Authorization header, or a presigned url's query */
function claim(req: IncomingMessage, parameters: [string, string][]): Claimed | SigV4Failure | undefined {
  const header = req.headers.authorization
  const query = new Map(parameters.filter(([name]) => name.startsWith('X-Amz-')))
  const presigned = query.has('X-Amz-Algorithm') || query.has('X-Amz-Signature') || query.has('X-Amz-Credential')
  if (header !== undefined && presigned) {
    const message = 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified'
    return { kind: 'malformed', message, presigned: false }
  }
  if (header !== undefined) return fromHeader(req, header)
  if (!presigned) return { kind: 'missing' }

  const absent = PRESIGNED_PARAMETERS.filter((name) => !query.get(name))
  if (absent.length > 0 || query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
    const message =
      'Query-string authentication version 4 requires the X-Amz-Algorithm (AWS4-HMAC-SHA256), X-Amz-Credential, ' +
      'X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.'
    return { kind: 'malformed', message, presigned: true }
  }
  const expiresSeconds = Number(query.get('X-Amz-Expires'))
  if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_PRESIGNED_SECONDS) {
    const message = `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGNED_SECONDS} (a week).`
    return { kind: 'malformed', message, presigned: true }
  }
  return withSignedHeaders(
    {
      presigned: true,
      credential: query.get('X-Amz-Credential')!,
      signedHeaders: query.get('X-Amz-SignedHeaders')!.split(';'),
      signature: query.get('X-Amz-Signature')!,
      amzDate: query.get('X-Amz-Date')!,
      expiresSeconds,
    },
  )
}

/** `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=a;b, Signature=<hex>` */
function fromHeader(req: IncomingMessage, header: string): Claimed | SigV4Failure {
  const [algorithm, ...rest] = header.trim().split(/\s+/)
  if (algorithm !== 'AWS4-HMAC-SHA256') {
    const message = `Unsupported Authorization Type "${algorithm}"; the authorization mechanism is AWS4-HMAC-SHA256.`
    return { kind: 'malformed', message, presigned: false }
  }
  const fields = new Map<string, string>()
  for (const part of rest.join(' ').split(',')) {
    const at = part.indexOf('=')
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim())
  }
  const problems = ['Credential', 'Signature', 'SignedHeaders']
    .filter((name) => !fields.get(name))
    .map((name) => `Authorization header requires '${name}' parameter.`)
  const amzDate = req.headers['x-amz-date']
  if (typeof amzDate !== 'string') problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
  if (problems.length > 0) return { kind: 'malformed', message: problems.join(' '), presigned: false }
  return withSignedHeaders(
    {
      presigned: false,
      credential: fields.get('Credential')!,
      signedHeaders: fields.get('SignedHeaders')!.split(';'),
      signature: fields.get('Signature')!,
      amzDate: amzDate as string,
    },
  )
}

function withSignedHeaders(claimed: Claimed): Claimed | SigV4Failure {
  if (!claimed.signedHeaders.includes('host')) {
    const message = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    return { kind: 'malformed', message, presigned: claimed.presigned }
  }
  return claimed
}

/**
 * S3 signs the payload hash the client declares: `x-amz-content-sha256` (required with an
 * Authorization header), which may be a SHA-256 or one of the literal values for unsigned and
 * chunk-signed bodies; a presigned url without one means UNSIGNED-PAYLOAD.
 */
function s3PayloadHash(req: IncomingMessage, parameters: [string, string][], presigned: boolean): string | SigV4Failure {
  const header = req.headers['x-amz-content-sha256']
  const fromQuery = parameters.find(([name]) => name.toLowerCase() === 'x-amz-content-sha256')?.[1]
  const declared = typeof header === 'string' ? header : (fromQuery ?? (presigned ? 'UNSIGNED-PAYLOAD' : undefined))
  if (declared === undefined) return { kind: 'payload-hash', message: 'Missing required header for this request: x-amz-content-sha256' }
  if (S3_LITERAL_HASHES.has(declared) || /^[0-9a-f]{64}$/.test(declared)) return declared
  const message = 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.'
  return { kind: 'payload-hash', message }
}

/** `20260102T030405Z` → epoch ms */
function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text)
  if (!m) return undefined
  const [, y, mo, d, h, mi, s] = m.map(Number)
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  return Number.isNaN(ms) ? undefined : ms
}

/** `20260102T030405Z`, the form AWS quotes times in */
export const amzDate = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')

function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected)
  const b = Buffer.from(provided)
  return a.length === b.length && timingSafeEqual(a, b)
}
