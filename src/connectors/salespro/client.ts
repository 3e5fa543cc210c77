import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import type { Readable } from 'node:stream'
import { SyncError } from '../../errors.ts'
import { sleep } from '../../sleep.ts'
import type { RunContext } from '../types.ts'
import { fieldText, readCsvBlocks, type CsvBlock } from './athena-csv.ts'
import { mapAwsError } from './aws-errors.ts'
import type { SalesProConfig } from './config.ts'
import { pollWaitMs } from './poll-schedule.ts'
import { sdkRetryStrategy } from './sdk-retry.ts'

/** One result row: Athena column name → its text, or null for SQL NULL (kept apart from ""). */
export type AthenaRow = Record<string, string | null>

/** Rows of a result as they arrive, with the bytes of the S3 result file read so far (none through GetQueryResults). */
export interface ResultBatch {
  /** the result's column names, in order */
  readonly header: readonly string[]
  /** how many rows */
  readonly count: number
  /** row `i` (0 ≤ i < count) as an object of its columns' texts */
  row(i: number): AthenaRow
  /** the rows as the S3 result file's bytes: row `i` is the block's record `offset + i` */
  readonly block?: CsvBlock
  readonly offset?: number
  readonly bytesRead?: number
}

export interface FinishedQuery {
  id: string
  /** s3://bucket/key of the result CSV */
  outputLocation: string
}

/** A result column as Athena describes it (`ColumnInfo`): its name and SQL type (`varchar`, `integer`...). */
export interface AthenaColumn {
  name: string
  type: string
}

export interface AthenaGateway {
  /** starts a query and waits until it succeeded; FAILED and CANCELLED become SyncErrors */
  run(sql: string, ctx: RunContext): Promise<FinishedQuery>
  /**
   * streams the rows of a finished query in batches: the S3 CSV, or GetQueryResults pages when S3
   * is not readable. From S3 the file's size is reported as the read's size in bytes
   * (`ctx.report({ type: 'size' })`) and each batch says how many it has read.
   */
  batches(query: FinishedQuery, ctx: RunContext): AsyncGenerator<ResultBatch>
  /** the result's columns and their types, from its metadata (one small GetQueryResults call) */
  columns(query: FinishedQuery, ctx: RunContext): Promise<AthenaColumn[]>
  destroy(): void
}

/**
 * The Athena client layer: the official SDK clients (their retry, on crmsync's backoff, handles
 * throttling and 5xx per call: ./sdk-retry.ts), the query lifecycle, and the fast S3 path for results with a fallback.
 */
export function createAthenaGateway(config: SalesProConfig): AthenaGateway {
  // explicit credentials and region always: the SDK's default chain would probe the EC2 metadata address
  const credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
  const athena = new AthenaClient({ region: config.region, endpoint: config.athenaEndpoint, credentials, retryStrategy: sdkRetryStrategy() })
  const s3 = new S3Client({
    region: config.region,
    endpoint: config.s3Endpoint,
    credentials,
    forcePathStyle: true,
    retryStrategy: sdkRetryStrategy(),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  let s3Readable = config.readResultsFromS3

  const timed = async <T>(ctx: RunContext, operation: string, call: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    try {
      const result = await call()
      ctx.report({ type: 'request', operation, status: 200, ms: performance.now() - started })
      return result
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode
      ctx.report({ type: 'request', operation, status: status ?? 'error', ms: performance.now() - started })
      throw mapAwsError(error, operation)
    }
  }

  async function run(sql: string, ctx: RunContext): Promise<FinishedQuery> {
    const start = await timed(ctx, 'athena:StartQueryExecution', () =>
      athena.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          QueryExecutionContext: { Database: config.database },
          ResultConfiguration: { OutputLocation: config.s3Location },
          WorkGroup: config.workgroup,
        }),
        { abortSignal: ctx.signal },
      ),
    )
    const id = start.QueryExecutionId as string
    ctx.log.debug({ queryExecutionId: id }, 'athena query started')
    const queryStarted = performance.now()
    // the query's whole time, start to finish: the source's response time that alert thresholds watch
    const reportQuery = (status: number | 'error') => ctx.report({ type: 'request', operation: 'athena:query', status, ms: performance.now() - queryStarted })
    const deadline = Date.now() + config.queryTimeoutSeconds * 1000
    for (;;) {
      if (ctx.signal.aborted || Date.now() > deadline) {
        await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => {})
        if (ctx.signal.aborted) throw new SyncError('cancelled', `athena query ${id} stopped: the run was cancelled`)
        throw new SyncError('query_failed', `athena query ${id} ran longer than ${config.queryTimeoutSeconds} s and was stopped`)
      }
      const { QueryExecution: execution } = await timed(ctx, 'athena:GetQueryExecution', () =>
        athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
      )
      const state = execution?.Status?.State
      if (state === 'SUCCEEDED') {
        reportQuery(200)
        return { id, outputLocation: execution?.ResultConfiguration?.OutputLocation ?? '' }
      }
      if (state === 'FAILED' || state === 'CANCELLED') {
        reportQuery('error')
        const reason = execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage ?? 'no reason given'
        // Athena says whether trying again can help; permission and missing-table errors cannot
        const retryable = execution?.Status?.AthenaError?.Retryable ?? /INTERNAL|THROTTL|SLOW_DOWN|EXCEEDED/.test(reason)
        const hint = /glue:|not authorized|Insufficient permissions|AccessDenied/i.test(reason) ? ' (the credentials lack Athena/Glue/S3 permissions)' : ''
        throw new SyncError(retryable ? 'query_failed' : 'query_refused', `athena query ${id} ${state}: ${reason}${hint}`)
      }
      await sleep(pollWaitMs(performance.now() - queryStarted, config.maxPollMs), ctx.signal)
    }
  }

  async function* fromS3(query: FinishedQuery, ctx: RunContext): AsyncGenerator<ResultBatch> {
    const { bucket, key } = parseS3Url(query.outputLocation)
    const object = await timed(ctx, 's3:GetObject', () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: ctx.signal }))
    // Athena tells no row count (GetQueryExecution's statistics have none, GetQueryResults no
    // total) and a COUNT query would scan, and bill, the table a second time: the result file's
    // size is the one size the source tells for free, and progress is the bytes read of it
    if (object.ContentLength !== undefined) ctx.report({ type: 'size', bytes: object.ContentLength })
    const body = countBytes(object.Body as Readable)
    try {
      // iterating the body (not piping it) makes a connection dropped mid-file an error here
      yield* resultFileBatches(body, () => body.bytesRead)
    } catch (error) {
      throw new SyncError('source_unavailable', `reading the result of athena query ${query.id} from S3 failed: ${(error as Error).message}`, { cause: error })
    }
  }

  async function* fromApi(query: FinishedQuery, ctx: RunContext): AsyncGenerator<ResultBatch> {
    let nextToken: string | undefined
    let header: string[] | undefined
    do {
      const page = await timed(ctx, 'athena:GetQueryResults', () =>
        athena.send(new GetQueryResultsCommand({ QueryExecutionId: query.id, NextToken: nextToken, MaxResults: 1000 }), { abortSignal: ctx.signal }),
      )
      // a datum without VarCharValue is SQL NULL; {"VarCharValue": ""} is the empty string
      const records = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null))
      let from = 0
      if (!header && records.length) {
        header = records[0].map(String)
        from = 1
      }
      if (header) yield arrayBatch(header, toRows(header, records, from))
      nextToken = page.NextToken
    } while (nextToken)
  }

  async function* batches(query: FinishedQuery, ctx: RunContext): AsyncGenerator<ResultBatch> {
    if (s3Readable && query.outputLocation.startsWith('s3://')) {
      let started = false
      try {
        for await (const batch of fromS3(query, ctx)) {
          started = true
          yield batch
        }
        return
      } catch (error) {
        const failure = error as SyncError
        // only a refusal to open the file falls back; a stream broken half-way is retried by the engine
        if (started || (failure.code !== 'source_bad_response' && failure.code !== 'auth_failed')) throw error
        s3Readable = false
        ctx.log.warn({ reason: failure.message }, 'the query result file in S3 is not readable; reading results through GetQueryResults instead (slower: 1,000 rows per call)')
      }
    }
    yield* fromApi(query, ctx)
  }

  async function columns(query: FinishedQuery, ctx: RunContext): Promise<AthenaColumn[]> {
    const page = await timed(ctx, 'athena:GetQueryResults', () =>
      athena.send(new GetQueryResultsCommand({ QueryExecutionId: query.id, MaxResults: 1 }), { abortSignal: ctx.signal }),
    )
    const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo
    if (!info) throw new SyncError('source_bad_response', `athena query ${query.id} answered without column metadata`)
    return info.map((c) => ({ name: c.Name ?? '', type: c.Type ?? 'varchar' }))
  }

  return {
    run,
    batches,
    columns,
    destroy: () => {
      athena.destroy()
      s3.destroy()
    },
  }
}

/** The chunks of a body, counting the bytes they carried so far. */
function countBytes(body: AsyncIterable<Buffer | string>): AsyncIterable<Buffer | string> & { bytesRead: number } {
  const counted = {
    bytesRead: 0,
    async *[Symbol.asyncIterator]() {
      for await (const chunk of body) {
        counted.bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length
        yield chunk
      }
    },
  }
  return counted
}

/**
 * The batches of a result file (Athena's CSV, its header first), one a block of the file; each
 * valid until the next is asked for (see readCsvBlocks).
 */
export async function* resultFileBatches(body: AsyncIterable<Buffer | string>, bytesRead: () => number, blockBytes?: number): AsyncGenerator<ResultBatch> {
  let header: string[] | undefined
  for await (const block of readCsvBlocks(body, blockBytes)) {
    let offset = 0
    if (!header) {
      header = []
      for (let f = block.first[0]; f < block.first[1]; f++) header.push(String(fieldText(block, f)))
      offset = 1
    }
    yield blockBatch(header, block, offset, bytesRead())
  }
}

const arrayBatch = (header: readonly string[], rows: AthenaRow[]): ResultBatch => ({ header, count: rows.length, row: (i) => rows[i] })

function blockBatch(header: readonly string[], block: CsvBlock, offset: number, bytesRead: number): ResultBatch {
  return {
    header,
    count: block.count - offset,
    block,
    offset,
    bytesRead,
    row(i) {
      const r = offset + i
      const row: AthenaRow = {}
      const first = block.first[r]
      const fields = block.first[r + 1] - first
      // a record shorter than the header is NULL in the columns it lacks; a longer one's extra values are dropped
      for (let c = 0; c < header.length; c++) row[header[c]] = c < fields ? fieldText(block, first + c) : null
      return row
    },
  }
}

function toRows(header: string[], records: (string | null)[][], from: number): AthenaRow[] {
  const rows: AthenaRow[] = new Array(records.length - from)
  for (let r = from; r < records.length; r++) {
    const fields = records[r]
    const row: AthenaRow = {}
    for (let i = 0; i < header.length; i++) row[header[i]] = fields[i] ?? null
    rows[r - from] = row
  }
  return rows
}

export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url)
  if (!match) throw new SyncError('source_bad_response', `athena reported an unexpected result location: ${url}`)
  return { bucket: match[1], key: match[2] }
}
