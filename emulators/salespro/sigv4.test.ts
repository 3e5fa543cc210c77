import { AthenaClient, StartQueryExecutionCommand } from '@aws-sdk/client-athena'
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { SignatureV4 } from '@smithy/signature-v4'
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { SALESPRO_ACCESS_KEY_ID, SALESPRO_SECRET_ACCESS_KEY, startSalesProEmulator } from './index.ts'
import { admin, runQuery, s3Location, sdkClients } from './test-helpers.ts'

/**
 * The emulator verifies AWS Signature Version 4 like Athena and S3: the official SDK clients
 * work with the credentials it was started with and get AWS's own errors with anything else.
 * The presigned and hand-signed requests are made by the SDK's own signer (@smithy/signature-v4,
 * the one inside @aws-sdk/client-*), configured as the S3 presigner configures it.
 */
const ACCESS_KEY_ID = 'AKIASIGV4TEST0000001'
const SECRET = 'sigv4-test-secret/with+special=chars'

let emulator: RunningEmulator
let file: { Bucket: string; Key: string }
let csv: string

beforeAll(async () => {
  emulator = await startSalesProEmulator({ rows: 30, seed: 4, only: ['customer'], accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET })
  const execution = await runQuery(sdkClients(emulator).athena, emulator, 'SELECT customer_id, company_name FROM customer ORDER BY 1')
  file = s3Location(execution.ResultConfiguration!.OutputLocation!)
  csv = await (await sdkClients(emulator).s3.send(new GetObjectCommand(file))).Body!.transformToString()
})
afterAll(() => emulator?.close())

type Credentials = { accessKeyId: string; secretAccessKey: string }
const good = (): Credentials => ({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET })
const region = () => emulator.env.SALESPRO_SERVER_REGION

function athenaWith(credentials: Credentials, extra: { region?: string; systemClockOffset?: number } = {}) {
  return new AthenaClient({ endpoint: emulator.env.SALESPRO_ATHENA_ENDPOINT, region: region(), credentials, ...extra })
}
function s3With(credentials: Credentials, extra: { region?: string; systemClockOffset?: number } = {}) {
  return new S3Client({ endpoint: emulator.env.SALESPRO_S3_ENDPOINT, region: region(), credentials, forcePathStyle: true, ...extra })
}
const startOne = (athena: AthenaClient) =>
  athena.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1 AS one', QueryExecutionContext: { Database: emulator.env.SALESPRO_DATABASE } }))

/** node:crypto behind the hash interface the SDK's signer takes */
class NodeSha256 {
  private readonly hash: Hash | Hmac
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret))
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.hash.update(bytes(data))
  }
  async digest() {
    return new Uint8Array(this.hash.digest())
  }
}
function bytes(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data)
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  return Buffer.from(data)
}

/** S3's signer: the path is encoded once (uriEscapePath false), as @aws-sdk/s3-request-presigner does */
const s3Signer = (credentials: Credentials) =>
  new SignatureV4({ service: 's3', region: region(), credentials, sha256: NodeSha256, uriEscapePath: false })

function objectRequest(headers: Record<string, string> = {}) {
  const url = new URL(emulator.env.SALESPRO_S3_ENDPOINT)
  return {
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: `/${file.Bucket}/${file.Key}`,
    query: { 'x-id': 'GetObject' } as Record<string, string>,
    headers: { host: url.host, ...headers },
  }
}

function urlOf(request: { protocol: string; hostname: string; port?: number; path: string; query?: Record<string, string | string[] | null> }) {
  const query = Object.entries(request.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')
  return `${request.protocol}//${request.hostname}:${request.port}${request.path}${query ? `?${query}` : ''}`
}

async function presignedUrl(credentials: Credentials, options: { expiresIn?: number; signingDate?: Date } = {}) {
  // what the presigner does: the payload is not signed, and x-amz-* headers move into the query
  const request = objectRequest({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })
  return urlOf(await s3Signer(credentials).presign(request, { expiresIn: 60, ...options }))
}

const xmlCode = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1]

describe('SigV4 through the official SDK clients', () => {
  it('accepts the credentials the emulator was started with, and hands them out in env', async () => {
    expect(emulator.env).toMatchObject({ SALESPRO_ACCESS_KEY_ID: ACCESS_KEY_ID, SALESPRO_SECRET_ACCESS_KEY: SECRET })
    const started = await startOne(athenaWith(good()))
    expect(started.$metadata.attempts).toBe(1)
    const s3 = s3With(good())
    expect((await s3.send(new HeadObjectCommand(file))).ContentLength).toBe(Buffer.byteLength(csv))
    const ranged = await s3.send(new GetObjectCommand({ ...file, Range: 'bytes=0-9' }))
    expect(await ranged.Body!.transformToString()).toBe(csv.slice(0, 10))
  })

  it('refuses a wrong secret: Athena 400 InvalidSignatureException, S3 403 SignatureDoesNotMatch, never retried', async () => {
    const wrong = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: `${SECRET}x` }
    await admin(emulator, 'DELETE', '/_admin/stats')
    const athena = await startOne(athenaWith(wrong)).catch((e) => e)
    expect(athena).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 400, attempts: 1 } })
    expect(athena.message).toMatch(/^The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key/)
    // like AWS, the answer shows the canonical request the service expected
    expect(athena.message).toContain("The Canonical String for this request should have been\n'POST\n/\n")

    const s3 = await s3With(wrong).send(new GetObjectCommand(file)).catch((e) => e)
    expect(s3).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403, attempts: 1 }, AWSAccessKeyId: ACCESS_KEY_ID })
    expect(s3.StringToSign).toMatch(/^AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/)
    expect(s3.CanonicalRequest).toMatch(/^GET\n\/crmsync-emulator\/athena-results\/[^\n]+\.csv\nx-id=GetObject\n/)
    // a HEAD answer has no body: the SDK names the error after the status
    const head = await s3With(wrong).send(new HeadObjectCommand(file)).catch((e) => e)
    expect(head.$metadata.httpStatusCode).toBe(403)

    const { requests, queries } = await admin(emulator, 'GET', '/_admin/stats')
    expect(requests).toMatchObject({ StartQueryExecution: 1, 's3:GetObject': 1 })
    expect(queries).toEqual([])
  })

  it('refuses an unknown access key id: UnrecognizedClientException and InvalidAccessKeyId', async () => {
    const stranger = { accessKeyId: SALESPRO_ACCESS_KEY_ID, secretAccessKey: SALESPRO_SECRET_ACCESS_KEY }
    await expect(startOne(athenaWith(stranger))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      $metadata: { httpStatusCode: 400 },
    })
    await expect(s3With(stranger).send(new GetObjectCommand(file))).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
      AWSAccessKeyId: SALESPRO_ACCESS_KEY_ID,
      $metadata: { httpStatusCode: 403 },
    })
  })

  it('refuses credentials scoped to another region', async () => {
    const athena = await startOne(athenaWith(good(), { region: 'eu-west-1' })).catch((e) => e)
    expect(athena).toMatchObject({ name: 'InvalidSignatureException', message: expect.stringMatching(/^Credential should be scoped to a valid region, not 'eu-west-1'/) })
    const s3 = await s3With(good(), { region: 'eu-west-1' }).send(new GetObjectCommand(file)).catch((e) => e)
    expect(s3).toMatchObject({ name: 'AuthorizationHeaderMalformed', Region: 'us-east-1', $metadata: { httpStatusCode: 400 } })
  })

  it('answers a skewed clock like AWS, so the SDK takes its clock from the answer', async () => {
    const late = -20 * 60_000
    // Athena's "Signature expired" is one the SDK retries at once, with the server's time
    const started = await startOne(athenaWith(good(), { systemClockOffset: late }))
    expect(started.$metadata.attempts).toBe(2)
    // S3's RequestTimeTooSkewed is not retried, but the client's next request is on time
    const s3 = s3With(good(), { systemClockOffset: late })
    await expect(s3.send(new GetObjectCommand(file))).rejects.toMatchObject({
      name: 'RequestTimeTooSkewed',
      MaxAllowedSkewMilliseconds: '900000',
      $metadata: { httpStatusCode: 403 },
    })
    expect(await (await s3.send(new GetObjectCommand(file))).Body!.transformToString()).toBe(csv)
  })

  it('takes keys that need encoding: S3 encodes the path once', async () => {
    const s3 = s3With(good())
    for (const Key of ['athena-results/a b+c=d&e?f~g.csv', "athena-results/é/ü/(x)!*'.csv", 'athena-results/%41.csv', 'athena-results//double/./dot.csv']) {
      // a signature that verified meets the key lookup: NoSuchKey, never SignatureDoesNotMatch
      await expect(s3.send(new GetObjectCommand({ Bucket: file.Bucket, Key }))).rejects.toMatchObject({ name: 'NoSuchKey', Key })
    }
  })

  it('takes streamed uploads signed as STREAMING-UNSIGNED-PAYLOAD-TRAILER (and then refuses the method)', async () => {
    const sent: string[] = []
    const put = (s3: S3Client) => {
      s3.middlewareStack.add((next) => async (args) => {
        sent.push(String((args.request as { headers: Record<string, string> }).headers['x-amz-content-sha256']))
        return next(args)
      }, { step: 'deserialize', priority: 'low' })
      const Body = Readable.from([Buffer.from('hello, world')])
      return s3.send(new PutObjectCommand({ Bucket: file.Bucket, Key: 'uploads/x.csv', Body, ContentLength: 12 })).catch((e) => e)
    }
    expect(await put(s3With(good()))).toMatchObject({ name: 'MethodNotAllowed', $metadata: { httpStatusCode: 405 } })
    expect(sent[0]).toMatch(/^STREAMING-/)
    const wrong = await put(s3With({ ...good(), secretAccessKey: 'not-it' }))
    expect(wrong).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } })
  })

  it('takes an UNSIGNED-PAYLOAD header signature', async () => {
    const signed = await s3Signer(good()).sign(objectRequest({ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }))
    const { host: _host, ...headers } = signed.headers
    const response = await fetch(urlOf(signed), { headers })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe(csv)
  })

  it('serves presigned urls until they expire, and refuses tampered or wrongly signed ones', async () => {
    const url = await presignedUrl(good())
    expect(url).toContain('X-Amz-Signature=')
    const ok = await fetch(url)
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe(csv)

    const tampered = url.replace(/X-Amz-Signature=([0-9a-f]+)/, (_m, sig: string) => `X-Amz-Signature=${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`)
    const refused = await fetch(tampered)
    expect(refused.status).toBe(403)
    expect(xmlCode(await refused.text())).toBe('SignatureDoesNotMatch')

    const otherKey = await fetch(url.replace(/x-id=GetObject/, 'x-id=HeadObject'))
    expect(xmlCode(await otherKey.text())).toBe('SignatureDoesNotMatch')

    const wrongSecret = await fetch(await presignedUrl({ ...good(), secretAccessKey: 'nope' }))
    expect(xmlCode(await wrongSecret.text())).toBe('SignatureDoesNotMatch')

    const expired = await fetch(await presignedUrl(good(), { expiresIn: 60, signingDate: new Date(Date.now() - 2 * 3600_000) }))
    expect(expired.status).toBe(403)
    const body = await expired.text()
    expect(xmlCode(body)).toBe('AccessDenied')
    expect(body).toContain('<Message>Request has expired</Message><X-Amz-Expires>60</X-Amz-Expires>')
  })

  it('answers unsigned and half-signed requests as AWS does', async () => {
    const athenaPost = (headers: Record<string, string>) =>
      fetch(emulator.env.SALESPRO_ATHENA_ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonAthena.GetQueryExecution', ...headers },
        body: '{"QueryExecutionId":"x"}',
      })
    const anonymous = await athenaPost({})
    expect(anonymous.status).toBe(400)
    expect(await anonymous.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' })
    const partial = await athenaPost({ authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/20260101/us-east-1/athena/aws4_request` })
    expect(await partial.json()).toMatchObject({
      __type: 'IncompleteSignatureException',
      message: expect.stringContaining("Authorization header requires 'Signature' parameter."),
    })

    const s3Anonymous = await fetch(`${emulator.env.SALESPRO_S3_ENDPOINT}/${file.Bucket}/${file.Key}`)
    expect(s3Anonymous.status).toBe(403)
    expect(xmlCode(await s3Anonymous.text())).toBe('AccessDenied')
  })

})
