import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { parse } from 'csv-parse'
import type { Readable } from 'node:stream'
import { SyncError } from '../../errors.ts'
import type { RunContext } from '../types.ts'
import { mapAwsError } from './aws-errors.ts'
import type { SalesProConfig } from './config.ts'

/** One result row: Athena column name → its text, or null for SQL NULL (kept apart from ""). */
export type AthenaRow = Record<string, string | null>

export interface FinishedQuery {
  id: string
  /** s3://bucket/key of the result CSV */
  outputLocation: string
}

export interface AthenaGateway {
  /** starts a query and waits until it succeeded; FAILED and CANCELLED become SyncErrors */
  run(sql: string, ctx: RunContext): Promise<FinishedQuery>
  /** streams the rows of a finished query: the S3 CSV, or GetQueryResults pages when S3 is not readable */
  rows(query: FinishedQuery, ctx: RunContext): AsyncGenerator<AthenaRow>
  destroy(): void
}

/**
 * The Athena client layer: the official SDK clients (their standard retry handles throttling and
 * 5xx per call), the query lifecycle, and the fast S3 path for results with a fallback.
 */
export function createAthenaGateway(config: SalesProConfig): AthenaGateway {
  // explicit credentials and region always: the SDK's default chain would probe the EC2 metadata address
  const credentials = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
  const athena = new AthenaClient({ region: config.region, endpoint: config.athenaEndpoint, credentials, maxAttempts: 5 })
  const s3 = new S3Client({
    region: config.region,
    endpoint: config.s3Endpoint,
    credentials,
    forcePathStyle: true,
    maxAttempts: 5,
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
    const deadline = Date.now() + config.queryTimeoutSeconds * 1000
    let wait = 200
    for (;;) {
      if (ctx.signal.aborted || Date.now() > deadline) {
        await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => {})
        if (ctx.signal.aborted) throw new SyncError('cancelled', `athena query ${id} stopped: the run was cancelled`)
        throw new SyncError('query_failed', `athena query ${id} ran longer than ${config.queryTimeoutSeconds} s and was stopped`, { retryable: true })
      }
      const { QueryExecution: execution } = await timed(ctx, 'athena:GetQueryExecution', () =>
        athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
      )
      const state = execution?.Status?.State
      if (state === 'SUCCEEDED') return { id, outputLocation: execution?.ResultConfiguration?.OutputLocation ?? '' }
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = execution?.Status?.StateChangeReason ?? execution?.Status?.AthenaError?.ErrorMessage ?? 'no reason given'
        // Athena says whether trying again can help; permission and missing-table errors cannot
        const retryable = execution?.Status?.AthenaError?.Retryable ?? /INTERNAL|THROTTL|SLOW_DOWN|EXCEEDED/.test(reason)
        const hint = /glue:|not authorized|Insufficient permissions|AccessDenied/i.test(reason) ? ' (the credentials lack Athena/Glue/S3 permissions)' : ''
        throw new SyncError('query_failed', `athena query ${id} ${state}: ${reason}${hint}`, { retryable })
      }
      await sleep(wait, ctx.signal)
      wait = Math.min(Math.round(wait * 1.5), config.maxPollMs)
    }
  }

  async function* fromS3(query: FinishedQuery, ctx: RunContext): AsyncGenerator<AthenaRow> {
    const { bucket, key } = parseS3Url(query.outputLocation)
    const object = await timed(ctx, 's3:GetObject', () => s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: ctx.signal }))
    // Athena's CSV: every value quoted, NULL an empty unquoted field, so "" and NULL stay apart
    const body = object.Body as Readable
    const parser = body.pipe(parse({ cast: (value, context) => (context.quoting || value !== '' ? value : null) }))
    // pipe() does not forward errors: a connection dropped mid-body must fail the read, not hang it
    body.once('error', (error) => parser.destroy(error))
    body.once('aborted', () => parser.destroy(new Error('the connection closed before the whole result arrived')))
    let header: string[] | undefined
    try {
      for await (const fields of parser as AsyncIterable<(string | null)[]>) {
        if (!header) {
          header = fields.map(String)
          continue
        }
        const row: AthenaRow = {}
        for (let i = 0; i < header.length; i++) row[header[i]] = fields[i] ?? null
        yield row
      }
    } catch (error) {
      throw new SyncError('source_unavailable', `reading the result of athena query ${query.id} from S3 failed: ${(error as Error).message}`, { retryable: true, cause: error })
    }
  }

  async function* fromApi(query: FinishedQuery, ctx: RunContext): AsyncGenerator<AthenaRow> {
    let nextToken: string | undefined
    let header: string[] | undefined
    do {
      const page = await timed(ctx, 'athena:GetQueryResults', () =>
        athena.send(new GetQueryResultsCommand({ QueryExecutionId: query.id, NextToken: nextToken, MaxResults: 1000 }), { abortSignal: ctx.signal }),
      )
      for (const result of page.ResultSet?.Rows ?? []) {
        const data = result.Data ?? []
        if (!header) {
          header = data.map((d) => d.VarCharValue ?? '')
          continue
        }
        const row: AthenaRow = {}
        // a datum without VarCharValue is SQL NULL; {"VarCharValue": ""} is the empty string
        for (let i = 0; i < header.length; i++) row[header[i]] = data[i]?.VarCharValue ?? null
        yield row
      }
      nextToken = page.NextToken
    } while (nextToken)
  }

  async function* rows(query: FinishedQuery, ctx: RunContext): AsyncGenerator<AthenaRow> {
    if (s3Readable && query.outputLocation.startsWith('s3://')) {
      try {
        const first = fromS3(query, ctx)
        const head = await first.next()
        if (!head.done) yield head.value
        if (!head.done) yield* first
        return
      } catch (error) {
        const failure = error as SyncError
        // only a refusal to open the file falls back; a stream broken half-way is retried by the engine
        if (failure.code !== 'source_bad_response' && failure.code !== 'auth_failed') throw error
        s3Readable = false
        ctx.log.warn({ reason: failure.message }, 'the query result file in S3 is not readable; reading results through GetQueryResults instead (slower: 1,000 rows per call)')
      }
    }
    yield* fromApi(query, ctx)
  }

  return {
    run,
    rows,
    destroy: () => {
      athena.destroy()
      s3.destroy()
    },
  }
}

export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url)
  if (!match) throw new SyncError('source_bad_response', `athena reported an unexpected result location: ${url}`)
  return { bucket: match[1], key: match[2] }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })
}
