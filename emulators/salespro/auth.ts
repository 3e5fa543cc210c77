import type { IncomingMessage } from 'node:http'

/**
 * The access key a request was signed with: from `Authorization: AWS4-HMAC-SHA256
 * Credential=<key>/<date>/<region>/<service>/aws4_request, …`, or from a presigned url's
 * `X-Amz-Credential`. Signatures themselves are never verified.
 */
export function accessKeyOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization
  const fromHeader = header ? /Credential=([^/,\s]+)\//.exec(header)?.[1] : undefined
  if (fromHeader) return fromHeader
  const query = new URL(req.url ?? '/', 'http://emulator').searchParams.get('X-Amz-Credential')
  return query ? query.split('/')[0] : undefined
}
