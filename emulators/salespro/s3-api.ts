import { createReadStream } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { verifySigV4, type AwsIdentity } from './auth.ts'
import { S3_MAX_SKEW_MS, s3AuthError } from './s3-auth.ts'
import { S3Error, s3HostId, s3RequestId, sendS3Error } from './s3-errors.ts'
import { takeCount, type SourceFaults } from './source-faults.ts'

/** one stored object: an Athena result file on local disk */
export interface S3Object {
  readonly path: string
  readonly size: number
  readonly etag: string
  readonly lastModified: Date
}

export interface S3ApiOptions {
  /** the account whose signatures are accepted */
  identity: AwsIdentity
  /** `bucket/key` → object */
  objects: ReadonlyMap<string, S3Object>
  faults(): SourceFaults
  count(operation: string): void
}

const accessDenied = () => new S3Error(403, 'AccessDenied', 'Access Denied')

/**
 * Path-style S3 `GET`/`HEAD /<bucket>/<key>` over the Athena result files, with single byte
 * ranges (206) and S3's XML errors. Nothing is ever written through it: Athena writes results.
 */
export function createS3Api(options: S3ApiOptions) {
  function find(req: IncomingMessage): S3Object {
    // S3 authenticates before it looks at the method or the key: an unsigned probe learns nothing
    const refused = verifySigV4(req, { service: 's3', identity: options.identity, maxSkewMs: S3_MAX_SKEW_MS })
    if (refused) throw s3AuthError(refused)
    if (req.method !== 'HEAD' && req.method !== 'GET') {
      throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.')
    }
    if (options.faults().s3Unavailable) throw accessDenied()
    // not new URL(): it would resolve `.` and `..`, which in S3 are plain parts of a key
    const pathname = (req.url ?? '/').split('?')[0]
    const [bucket = '', ...rest] = pathname.slice(1).split('/')
    const objectKey = rest.map(decodeURIComponent).join('/')
    const object = options.objects.get(`${decodeURIComponent(bucket)}/${objectKey}`)
    if (!object) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: objectKey })
    return object
  }

  return async function handleS3(req: IncomingMessage, res: ServerResponse) {
    const head = req.method === 'HEAD'
    options.count(head ? 's3:HeadObject' : req.method === 'GET' ? 's3:GetObject' : `s3:${req.method}`)
    // nothing is ever uploaded: a body (a refused PutObject) is drained so the answer reaches the client
    req.resume()
    try {
      const object = find(req)
      const range = parseRange(req.headers.range, object.size)
      const start = range?.start ?? 0
      const end = range?.end ?? object.size - 1
      res.writeHead(range ? 206 : 200, {
        'content-type': 'text/csv',
        'accept-ranges': 'bytes',
        etag: object.etag,
        'last-modified': object.lastModified.toUTCString(),
        'x-amz-request-id': s3RequestId(),
        'x-amz-id-2': s3HostId(),
        'content-length': end - start + 1,
        ...(range ? { 'content-range': `bytes ${start}-${end}/${object.size}` } : {}),
      })
      if (head || object.size === 0) return void res.end()
      const faults = options.faults()
      if (takeCount(faults.s3DropAfterBytes)) {
        // the emulated network failure: the body stops short of content-length
        await streamFile(res, object.path, start, Math.min(end, start + faults.s3DropAfterBytes!.bytes - 1))
        return void req.socket.destroy()
      }
      await streamFile(res, object.path, start, end)
      res.end()
    } catch (error) {
      if (!(error instanceof S3Error)) throw error
      sendS3Error(res, error, head)
    }
  }
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; undefined for no (or an ignorable) Range header */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  // several ranges or a malformed header: S3 ignores it and sends the whole object
  if (!m || (m[1] === '' && m[2] === '')) return undefined
  const suffix = m[1] === ''
  const start = suffix ? Math.max(0, size - Number(m[2])) : Number(m[1])
  const end = suffix || m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  if (start >= size || start > end) {
    const extra = { RangeRequested: header, ActualObjectSize: String(size) }
    throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', extra)
  }
  return { start, end }
}

async function streamFile(res: ServerResponse, path: string, start: number, end: number) {
  if (end < start) return
  for await (const chunk of createReadStream(path, { start, end })) {
    // waiting for each write to reach the socket is backpressure, and makes sure the bytes
    // before an emulated drop really leave
    await new Promise<void>((resolve, reject) => {
      res.write(chunk, (error) => (error ? reject(error) : resolve()))
    })
  }
}
