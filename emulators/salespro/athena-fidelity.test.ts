import {
  GetQueryResultsCommand,
  paginateGetQueryResults,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { startSalesProEmulator } from './index.ts'
import { admin, runQuery, sdkClients, startQuery, waitForQuery } from './test-helpers.ts'

let emulator: RunningEmulator
let athena: AthenaClient

beforeAll(async () => {
  emulator = await startSalesProEmulator({ rows: 200, seed: 7 })
  athena = sdkClients(emulator).athena
})
afterAll(() => emulator?.close())
beforeEach(async () => {
  await admin(emulator, 'DELETE', '/_admin/source-faults')
  await admin(emulator, 'DELETE', '/_admin/faults')
})

const results = (id: string, extra: { MaxResults?: number; NextToken?: string } = {}) =>
  athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, ...extra }))
const values = (row: { Data?: { VarCharValue?: string }[] }) => row.Data!.map((d) => d.VarCharValue)
const start = (sql: string) => {
  const context = { Database: emulator.env.SALESPRO_DATABASE }
  return athena.send(new StartQueryExecutionCommand({ QueryString: sql, QueryExecutionContext: context }))
}

describe('Athena wire protocol through @aws-sdk/client-athena', () => {
  it('runs a query QUEUED → SUCCEEDED and describes it like Athena', async () => {
    await admin(emulator, 'POST', '/_admin/source-faults', { queryDelayMs: 200 })
    const id = await startQuery(athena, emulator, 'SELECT count(*) FROM customer')
    const execution = await waitForQuery(athena, id)
    const { State, SubmissionDateTime, CompletionDateTime } = execution.Status!
    expect(State).toBe('SUCCEEDED')
    expect(SubmissionDateTime).toBeInstanceOf(Date)
    expect(CompletionDateTime!.getTime() - SubmissionDateTime!.getTime()).toBeGreaterThanOrEqual(150)
    const location = `${emulator.env.SALESPRO_S3_LOCATION}${id}.csv`
    expect(execution.ResultConfiguration?.OutputLocation).toBe(location)
    expect(execution.Statistics?.DataScannedInBytes).toBeGreaterThan(10_000)
    expect(execution.StatementType).toBe('DML')
    const page = await results(id)
    // unnamed expressions are _col0, as in Trino
    expect(page.ResultSet?.Rows?.map(values)).toEqual([['_col0'], ['200']])
    const [info] = page.ResultSet!.ResultSetMetadata!.ColumnInfo!
    expect(info).toMatchObject({ Name: '_col0', Type: 'bigint', Precision: 19 })
    expect(page.NextToken).toBeUndefined()
  })

  it('renders values Athena-style: NULL as {}, "" as a value, timestamp(3), decimal, boolean', async () => {
    const sql = `SELECT CAST(NULL AS VARCHAR) AS n, '' AS e, 'Zoë "O''Brien"' AS s,
      CAST(12.3 AS DECIMAL(12,2)) AS d, TRUE AS b, FALSE AS f, TIMESTAMP '2024-01-01 10:00:00.5' AS t,
      CAST(7 AS BIGINT) AS g, 42 AS i, DATE '2024-02-03' AS dt`
    const execution = await runQuery(athena, emulator, sql)
    const page = await results(execution.QueryExecutionId!)
    const [header, row] = page.ResultSet!.Rows!
    expect(values(header)).toEqual(['n', 'e', 's', 'd', 'b', 'f', 't', 'g', 'i', 'dt'])
    expect(row.Data).toEqual([
      {},
      { VarCharValue: '' },
      { VarCharValue: 'Zoë "O\'Brien"' },
      { VarCharValue: '12.30' },
      { VarCharValue: 'true' },
      { VarCharValue: 'false' },
      { VarCharValue: '2024-01-01 10:00:00.500' },
      { VarCharValue: '7' },
      { VarCharValue: '42' },
      { VarCharValue: '2024-02-03' },
    ])
    const info = page.ResultSet!.ResultSetMetadata!.ColumnInfo!
    expect(info.map((c) => [c.Type, c.Precision, c.Scale, c.CaseSensitive])).toEqual([
      ['varchar', 2147483647, 0, true],
      ['varchar', 2147483647, 0, true],
      ['varchar', 2147483647, 0, true],
      ['decimal', 12, 2, false],
      ['boolean', 0, 0, false],
      ['boolean', 0, 0, false],
      ['timestamp', 3, 0, false],
      ['bigint', 19, 0, false],
      ['integer', 10, 0, false],
      ['date', 0, 0, false],
    ])
    expect(info[0]).toMatchObject({
      CatalogName: 'hive',
      SchemaName: '',
      TableName: '',
      Nullable: 'UNKNOWN',
      Label: 'n',
    })
  })

  it('pages with paginateGetQueryResults: the header row once, on the first page only', async () => {
    const sql = 'SELECT * FROM estimate ORDER BY updated_at, estimate_id'
    const { QueryExecutionId } = await runQuery(athena, emulator, sql)
    const { estimate: count } = await admin(emulator, 'GET', '/_admin/athena-tables')
    const rows: string[][] = []
    let pages = 0
    const paginator = paginateGetQueryResults({ client: athena, pageSize: 50 }, { QueryExecutionId })
    for await (const page of paginator) {
      pages++
      expect(page.ResultSet!.Rows!.length).toBeLessThanOrEqual(50)
      rows.push(...page.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue ?? '<null>')))
    }
    expect(rows.length).toBe(count + 1)
    expect(pages).toBe(Math.ceil((count + 1) / 50))
    expect(rows.filter((r) => r[0] === 'estimate_id')).toHaveLength(1)
    const updatedAt = rows.slice(1).map((r) => r[25])
    expect(updatedAt).toEqual([...updatedAt].sort())
    expect(updatedAt.every((t) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/.test(t))).toBe(true)
  })

  it('rejects MaxResults above 1000, foreign NextTokens and unknown ids, as Athena does', async () => {
    const id = (await runQuery(athena, emulator, 'SELECT 1 AS one')).QueryExecutionId!
    const invalid = { name: 'InvalidRequestException' }
    await expect(results(id, { MaxResults: 1001 })).rejects.toMatchObject(invalid)
    await expect(results(id, { NextToken: 'bm90LW91cnM=' })).rejects.toMatchObject(invalid)
    const missing = '3f1e2d4c-0000-4000-8000-000000000000'
    await expect(results(missing)).rejects.toMatchObject({
      ...invalid,
      message: `QueryExecution ${missing} was not found`,
      AthenaErrorCode: 'QUERY_EXECUTION_NOT_FOUND',
    })
  })

  it('fails a syntax error at Start (MALFORMED_QUERY) and a missing table at run time', async () => {
    await expect(startQuery(athena, emulator, 'SELEC * FROM customer')).rejects.toMatchObject({
      name: 'InvalidRequestException',
      AthenaErrorCode: 'MALFORMED_QUERY',
    })
    const execution = await runQuery(athena, emulator, 'SELECT * FROM no_such_table')
    expect(execution.Status?.State).toBe('FAILED')
    expect(execution.Status?.StateChangeReason).toBe(
      "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.home_genius_db.no_such_table' does not exist",
    )
    expect(execution.Status?.AthenaError).toMatchObject({ ErrorCategory: 2, Retryable: false })
    await expect(results(execution.QueryExecutionId!)).rejects.toMatchObject({
      message: 'Query did not finish successfully. Final query state: FAILED',
      AthenaErrorCode: 'INVALID_QUERY_EXECUTION_STATE',
    })
  })

  it('fails queries on demand with the failQueries knob', async () => {
    await admin(emulator, 'POST', '/_admin/source-faults', { failQueries: { count: 1 } })
    const failed = await runQuery(athena, emulator, 'SELECT * FROM customer')
    expect(failed.Status).toMatchObject({
      State: 'FAILED',
      StateChangeReason: 'GENERIC_INTERNAL_ERROR: emulated query failure',
      AthenaError: { ErrorCategory: 1, Retryable: true },
    })
    expect((await runQuery(athena, emulator, 'SELECT * FROM customer')).Status?.State).toBe('SUCCEEDED')
  })

  it('answers GetQueryResults before the end with the current state', async () => {
    await admin(emulator, 'POST', '/_admin/source-faults', { queryDelayMs: 800 })
    const id = await startQuery(athena, emulator, 'SELECT 1 AS one')
    await expect(results(id)).rejects.toMatchObject({
      message: expect.stringMatching(/^Query has not yet finished\. Current state: (QUEUED|RUNNING)$/),
      AthenaErrorCode: 'INVALID_QUERY_EXECUTION_STATE',
    })
    await waitForQuery(athena, id)
  })

  it('is idempotent on ClientRequestToken', async () => {
    await admin(emulator, 'DELETE', '/_admin/stats')
    const token = 'a'.repeat(24) + '-idempotency-token'
    const first = await startQuery(athena, emulator, 'SELECT * FROM payments', token)
    const second = await startQuery(athena, emulator, 'SELECT * FROM payments', token)
    expect(second).toBe(first)
    const stats = await admin(emulator, 'GET', '/_admin/stats')
    expect(stats.queries).toHaveLength(1)
    expect(stats.requests.StartQueryExecution).toBe(2)
    await waitForQuery(athena, first)
  })

  it('cancels a running query with StopQueryExecution, and ignores a stop after the end', async () => {
    await admin(emulator, 'POST', '/_admin/source-faults', { queryDelayMs: 5_000 })
    const id = await startQuery(athena, emulator, 'SELECT * FROM customer')
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }))
    const stopped = await waitForQuery(athena, id)
    expect(stopped.Status).toMatchObject({ State: 'CANCELLED', StateChangeReason: 'Query cancelled by user' })
    await expect(results(id)).rejects.toMatchObject({
      message: 'Could not find results',
      AthenaErrorCode: 'RESULT_NOT_FOUND',
    })
    await admin(emulator, 'DELETE', '/_admin/source-faults')
    const done = (await runQuery(athena, emulator, 'SELECT 1 AS one')).QueryExecutionId!
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: done }))
    expect((await waitForQuery(athena, done)).Status?.State).toBe('SUCCEEDED')
  })

  it('throttles like Athena, and the SDK retries', async () => {
    const done = await runQuery(athena, emulator, 'SELECT 1 AS one')
    await admin(emulator, 'POST', '/_admin/faults', { throttle: { count: 1 } })
    const throttled = await results(done.QueryExecutionId!)
    expect(throttled.$metadata.attempts).toBe(2)
    expect(throttled.ResultSet?.Rows).toHaveLength(2)

    await admin(emulator, 'POST', '/_admin/faults', { throttle: { count: 1 } })
    expect((await start('SELECT 2 AS two')).$metadata.attempts).toBe(2)

    await admin(emulator, 'POST', '/_admin/source-faults', { tooManyRequests: { count: 1 } })
    expect((await start('SELECT 3 AS three')).$metadata.attempts).toBe(2)
  })

  it('answers the raw throttling and unknown-operation errors with Athena bodies', async () => {
    await admin(emulator, 'POST', '/_admin/faults', { throttle: { count: 1 } })
    const key = emulator.env.SALESPRO_ACCESS_KEY_ID
    const post = (target: string) =>
      fetch(emulator.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': target,
          authorization: `AWS4-HMAC-SHA256 Credential=${key}/20260101/us-east-1/athena/aws4_request, S=0`,
        },
        body: '{}',
      })
    const throttled = await post('AmazonAthena.ListWorkGroups')
    expect(throttled.status).toBe(400)
    expect(await throttled.json()).toEqual({ __type: 'ThrottlingException', message: 'Rate exceeded' })
    const unknown = await post('AmazonAthena.ListWorkGroups')
    expect(unknown.status).toBe(400)
    expect((await unknown.json()).__type).toBe('UnknownOperationException')
  })

  it('rejects an unknown access key with UnrecognizedClientException', async () => {
    const { athena: stranger } = sdkClients(emulator, 'AKIAWRONGKEY')
    const call = stranger.send(new StartQueryExecutionCommand({ QueryString: 'SELECT 1' }))
    await expect(call).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    })
  })

  it('supports the Presto functions crmsync may use', async () => {
    const sql = `SELECT json_extract_scalar('{"a":"x"}', '$.a') AS j, regexp_like('abc', 'b') AS r,
      date_add('day', 2, TIMESTAMP '2024-01-01 00:00:00') AS d,
      to_unixtime(TIMESTAMP '1970-01-02 00:00:00') AS u,
      date_parse('2024-03-04 05:06:07', '%Y-%m-%d %H:%i:%s') AS p`
    const execution = await runQuery(athena, emulator, sql)
    expect(execution.Status?.StateChangeReason).toBeUndefined()
    const [, row] = (await results(execution.QueryExecutionId!)).ResultSet!.Rows!
    expect(values(row)).toEqual([
      'x',
      'true',
      '2024-01-03 00:00:00.000',
      '86400.0',
      '2024-03-04 05:06:07.000',
    ])
  })
})
