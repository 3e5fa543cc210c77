import { randomBytes, randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'

/** an S3 error answer: `<Error><Code>…</Code><Message>…</Message>…</Error>` */
export class S3Error extends Error {
  readonly status: number
  readonly code: string
  /** extra elements, e.g. `Key` for NoSuchKey */
  readonly extra: Record<string, string>
  constructor(status: number, code: string, message: string, extra: Record<string, string> = {}) {
    super(message)
    this.status = status
    this.code = code
    this.extra = extra
  }
}

export const s3RequestId = () => randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()
export const s3HostId = () => randomBytes(24).toString('base64')

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`)

export function sendS3Error(res: ServerResponse, error: S3Error, head = false) {
  const requestId = s3RequestId()
  const extra = Object.entries(error.extra)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('')
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code>` +
    `<Message>${escapeXml(error.message)}</Message>${extra}` +
    `<RequestId>${requestId}</RequestId><HostId>${s3HostId()}</HostId></Error>`
  // HEAD answers carry no body; the SDK then names the error after the status (NotFound, Forbidden)
  const length = head ? {} : { 'content-length': Buffer.byteLength(body) }
  res.writeHead(error.status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, ...length })
  res.end(head ? undefined : body)
}

/** S3's own throttling answer, for the generic throttle fault on S3 paths */
export function sendS3SlowDown(res: ServerResponse) {
  sendS3Error(res, new S3Error(503, 'SlowDown', 'Please reduce your request rate.'))
}

/** an unexpected failure while serving S3 */
export function sendS3InternalError(res: ServerResponse, message: string) {
  sendS3Error(res, new S3Error(500, 'InternalError', message))
}
