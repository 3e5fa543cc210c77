import { GetQueryResultsCommand, paginateGetQueryResults, type AthenaClient } from '@aws-sdk/client-athena'
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { startSalesProEmulator } from './index.ts'
import { admin, runQuery, s3Location, sdkClients } from './test-helpers.ts'

let emulator: RunningEmulator
let athena: AthenaClient
let s3: S3Client

beforeAll(async () => {
  emulator = await startSalesProEmulator({ rows: 100, only: ['customer', 'estimate'] })
  ;({ athena, s3 } = sdkClients(emulator))
})
afterAll(() => emulator?.close())
beforeEach(() => admin(emulator, 'DELETE', '/_admin/source-faults'))

async function resultFile(sql: string) {
  const execution = await runQuery(athena, emulator, sql)
  return s3Location(execution.ResultConfiguration!.OutputLocation!)
}
const getBytes = async (input: { Bucket: string; Key: string; Range?: string }) =>
  Buffer.from(await (await s3.send(new GetObjectCommand(input))).Body!.transformToByteArray())
const csvField = (value: string | undefined) =>
  value === undefined ? '' : `"${value.replaceAll('"', '""')}"`

describe('result files through @aws-sdk/client-s3 (forcePathStyle)', () => {
  it('writes Athena CSV byte for byte: all quoted, "" doubled, NULL empty, \\n line ends', async () => {
    const location = await resultFile(`SELECT 'a"b' AS x, CAST(NULL AS VARCHAR) AS y, '' AS z,
      'line' || chr(10) || 'break' AS w, CAST(1.5 AS DECIMAL(12,2)) AS d,
      TIMESTAMP '2025-06-30 23:59:59' AS t, 'Nguyễn' AS u`)
    const object = await s3.send(new GetObjectCommand(location))
    const bytes = Buffer.from(await object.Body!.transformToByteArray())
    const expected =
      '"x","y","z","w","d","t","u"\n' + '"a""b",,"","line\nbreak","1.50","2025-06-30 23:59:59.000","Nguyễn"\n'
    expect(bytes.toString('utf8')).toBe(expected)
    expect(bytes[0]).toBe(0x22) // no BOM
    expect(object.ContentLength).toBe(Buffer.byteLength(expected))
  })

  it('keeps duplicate column names in the header, as Athena does', async () => {
    const location = await resultFile('SELECT customer_id, customer_id FROM customer ORDER BY 1 LIMIT 1')
    expect((await getBytes(location)).toString().split('\n')[0]).toBe('"customer_id","customer_id"')
  })

  it('holds the same rows as GetQueryResults', async () => {
    const sql = 'SELECT * FROM estimate ORDER BY updated_at, estimate_id'
    const execution = await runQuery(athena, emulator, sql)
    const lines: string[] = []
    const input = { QueryExecutionId: execution.QueryExecutionId }
    for await (const page of paginateGetQueryResults({ client: athena, pageSize: 1000 }, input)) {
      for (const row of page.ResultSet!.Rows!) {
        lines.push(row.Data!.map((d) => csvField(d.VarCharValue)).join(','))
      }
    }
    const file = await getBytes(s3Location(execution.ResultConfiguration!.OutputLocation!))
    expect(file.toString('utf8')).toBe(`${lines.join('\n')}\n`)
  })

  it('serves byte ranges (206) and HEAD', async () => {
    const location = await resultFile('SELECT customer_id, updated_at FROM customer ORDER BY customer_id')
    const whole = await getBytes(location)
    const part = await s3.send(new GetObjectCommand({ ...location, Range: 'bytes=10-99' }))
    expect(part.$metadata.httpStatusCode).toBe(206)
    expect(part.ContentRange).toBe(`bytes 10-99/${whole.length}`)
    expect(Buffer.from(await part.Body!.transformToByteArray())).toEqual(whole.subarray(10, 100))
    expect(await getBytes({ ...location, Range: 'bytes=-25' })).toEqual(whole.subarray(whole.length - 25))
    const head = await s3.send(new HeadObjectCommand(location))
    expect(head.ContentLength).toBe(whole.length)
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}"$/)
    const beyond = s3.send(new GetObjectCommand({ ...location, Range: `bytes=${whole.length + 5}-` }))
    await expect(beyond).rejects.toMatchObject({ name: 'InvalidRange' })
  })

  it('answers NoSuchKey for a missing object', async () => {
    const input = { Bucket: 'crmsync-emulator', Key: 'athena-results/missing.csv' }
    const missing = s3.send(new GetObjectCommand(input))
    await expect(missing).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })
  })

  it('can refuse S3 (AccessDenied) while GetQueryResults keeps working', async () => {
    const execution = await runQuery(athena, emulator, 'SELECT customer_id FROM customer')
    await admin(emulator, 'POST', '/_admin/source-faults', { s3Unavailable: true })
    const refused = s3.send(new GetObjectCommand(s3Location(execution.ResultConfiguration!.OutputLocation!)))
    await expect(refused).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })
    const input = { QueryExecutionId: execution.QueryExecutionId }
    const page = await athena.send(new GetQueryResultsCommand(input))
    expect(page.ResultSet?.Rows).toHaveLength(101)
  })

  it('can drop the connection in the middle of a body', async () => {
    const location = await resultFile('SELECT * FROM estimate')
    await admin(emulator, 'POST', '/_admin/source-faults', { s3DropAfterBytes: { count: 1, bytes: 1000 } })
    const object = await s3.send(new GetObjectCommand(location))
    await expect(object.Body!.transformToByteArray()).rejects.toThrow()
    const again = await s3.send(new GetObjectCommand(location))
    expect((await again.Body!.transformToByteArray()).length).toBe(again.ContentLength)
  })

  it('rejects an unknown access key with InvalidAccessKeyId', async () => {
    const location = await resultFile('SELECT 1 AS one')
    const { s3: stranger } = sdkClients(emulator, 'AKIAWRONGKEY')
    await expect(stranger.send(new GetObjectCommand(location))).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
      $metadata: { httpStatusCode: 403 },
    })
  })

  it('counts requests per operation', async () => {
    await admin(emulator, 'DELETE', '/_admin/stats')
    await getBytes(await resultFile('SELECT 1 AS one'))
    const stats = await admin(emulator, 'GET', '/_admin/stats')
    expect(stats.requests).toMatchObject({ StartQueryExecution: 1, 's3:GetObject': 1 })
    const query = { query: 'SELECT 1 AS one', state: 'SUCCEEDED', rows: 1 }
    expect(stats.queries).toEqual([expect.objectContaining(query)])
  })
})
