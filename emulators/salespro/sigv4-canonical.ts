import { createHash, createHmac } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/**
 * The pieces of AWS Signature Version 4 a server recomputes: the canonical request, the string
 * to sign and the signature (docs: "Create a signed AWS API request"). The emulator builds them
 * from the request as it arrived, so a client that signed something else gets a mismatch, as
 * it would from AWS.
 */

export const EMPTY_SHA256 = createHash('sha256').update('').digest('hex')

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')

/** RFC 3986 encoding as AWS applies it: everything but A-Z a-z 0-9 - _ . ~ is %XX, upper-case hex */
export const escapeUri = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * The canonical URI. S3 encodes the object key once: each segment is decoded and encoded again
 * the AWS way, and `.`/`..`/`//` stay as they are (they are part of a key). Every other service
 * normalizes the path and then encodes the already-encoded path a second time.
 */
export function canonicalPath(rawPath: string, service: string): string {
  if (service === 's3') return rawPath.split('/').map((segment) => escapeUri(decodeOrKeep(segment))).join('/')
  const segments: string[] = []
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') segments.pop()
    else segments.push(segment)
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : ''
  return escapeUri(`/${segments.join('/')}${trailing}`).replace(/%2F/g, '/')
}

/** the raw query string's parameters, decoded, in the order sent */
export function queryParameters(rawQuery: string): [string, string][] {
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const at = part.indexOf('=')
      return at < 0 ? [decodeOrKeep(part), ''] : [decodeOrKeep(part.slice(0, at)), decodeOrKeep(part.slice(at + 1))]
    })
}

/** sorted by encoded name, then value; `X-Amz-Signature` (a presigned url's own signature) left out */
export function canonicalQuery(parameters: [string, string][]): string {
  return parameters
    .filter(([name]) => name.toLowerCase() !== 'x-amz-signature')
    .map(([name, value]) => [escapeUri(name), escapeUri(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&')
}

/** `name:value` lines for the signed headers: repeated headers joined by `,`, runs of spaces collapsed */
export function canonicalHeaders(req: IncomingMessage, signedHeaders: string[]): string {
  return signedHeaders
    .map((name) => {
      const values = req.headersDistinct[name] ?? []
      const value = values.map((v) => v.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').trim()).join(',')
      return `${name}:${value}\n`
    })
    .join('')
}

export interface CanonicalParts {
  method: string
  path: string
  query: string
  headers: string
  signedHeaders: string[]
  payloadHash: string
}

export const canonicalRequest = (p: CanonicalParts) =>
  [p.method, p.path, p.query, p.headers, p.signedHeaders.join(';'), p.payloadHash].join('\n')

export const stringToSign = (amzDate: string, scope: string, canonical: string) =>
  ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n')

/** kDate → kRegion → kService → kSigning, then the HMAC of the string to sign, in hex */
export function signature(secretAccessKey: string, scope: string, toSign: string): string {
  let key: Buffer | string = `AWS4${secretAccessKey}`
  for (const part of scope.split('/')) key = createHmac('sha256', key).update(part).digest()
  return createHmac('sha256', key).update(toSign).digest('hex')
}
