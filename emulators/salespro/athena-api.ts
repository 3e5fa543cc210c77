import type { IncomingMessage, ServerResponse } from 'node:http'
import type { z } from 'zod'
import { parseJsonBody, readBody } from '../shared/http.ts'
import { ATHENA_MAX_SKEW_MS, athenaAuthError } from './athena-auth.ts'
import {
  AthenaApiError,
  executionNotFound,
  invalidRequest,
  sendAthenaError,
  sendAthenaJson,
  tooManyRequests,
} from './athena-errors.ts'
import {
  getQueryResultsInput,
  parseInput,
  queryExecutionIdInput,
  startQueryExecutionInput,
} from './athena-inputs.ts'
import { decodeToken, describeExecution, encodeToken } from './athena-shapes.ts'
import { verifySigV4, type AwsIdentity } from './auth.ts'
import { substituteParameters } from './execution-parameters.ts'
import type { QueryExecutions } from './query-executions.ts'
import { sha256Hex } from './sigv4-canonical.ts'
import { takeCount, takeQueryFailure, type SourceFaults } from './source-faults.ts'

export interface AthenaApiOptions {
  /** the account whose signatures are accepted */
  identity: AwsIdentity
  /** the workgroup's result location, used when a request names none */
  defaultOutputLocation: string
  executions: QueryExecutions
  faults(): SourceFaults
  random: () => number
  /** parses a query without running it; rejects with DuckDB's parser message */
  countStatements(sql: string): Promise<number>
  count(operation: string): void
}

type Operation = (body: unknown) => Promise<unknown>

interface StartedQuery {
  id: string
  queryString: string
}

/**
 * Athena's JSON-1.1 API: `POST /` with `X-Amz-Target: AmazonAthena.<Operation>`, following
 * source-apis.md §1: idempotent starts, QUEUED → RUNNING → final states, paged results with the
 * header row first, `{}` for NULL, and Athena's error names and messages.
 */
export function createAthenaApi(options: AthenaApiOptions) {
  /** ClientRequestToken → the start it made (the execution and the QueryString it was sent with) */
  const tokens = new Map<string, Promise<StartedQuery>>()
  const find = (id: string) => options.executions.get(id) ?? throwError(executionNotFound(id))

  const operations: Record<string, Operation> = {
    async StartQueryExecution(body) {
      const input = parseInput(startQueryExecutionInput, body)
      const token = input.ClientRequestToken
      const known = token ? tokens.get(token) : undefined
      if (known) {
        const { id, queryString } = await known
        if (queryString !== input.QueryString) {
          throw invalidRequest('Idempotent parameters do not match', 'INVALID_INPUT')
        }
        return { QueryExecutionId: id }
      }
      const started = start(input)
      if (token) {
        // registered before the start settles, so a retry racing the first attempt joins it
        tokens.set(token, started)
        started.catch(() => tokens.delete(token))
      }
      return { QueryExecutionId: (await started).id }
    },

    async GetQueryExecution(body) {
      const { QueryExecutionId } = parseInput(queryExecutionIdInput, body)
      return { QueryExecution: describeExecution(find(QueryExecutionId)) }
    },

    async GetQueryResults(body) {
      const input = parseInput(getQueryResultsInput, body)
      const execution = find(input.QueryExecutionId)
      if (execution.state === 'QUEUED' || execution.state === 'RUNNING') {
        const message = `Query has not yet finished. Current state: ${execution.state}`
        throw invalidRequest(message, 'INVALID_QUERY_EXECUTION_STATE')
      }
      if (execution.state === 'FAILED') {
        const message = 'Query did not finish successfully. Final query state: FAILED'
        throw invalidRequest(message, 'INVALID_QUERY_EXECUTION_STATE')
      }
      if (execution.state === 'CANCELLED' || !execution.result) {
        throw invalidRequest('Could not find results', 'RESULT_NOT_FOUND')
      }
      const result = execution.result
      const first = input.NextToken === undefined
      const offset = first ? 0 : decodeToken(input.NextToken!, execution.id)
      // the header row counts toward MaxResults on the first page
      const limit = (input.MaxResults ?? 1000) - (first ? 1 : 0)
      const rows = limit > 0 ? await options.executions.readPage(execution, offset, limit) : []
      const next = offset + rows.length
      const dataRows = rows.map((row) => ({
        Data: row.map((value) => (value === null ? {} : { VarCharValue: value })),
      }))
      const header = first ? [{ Data: result.columns.map((c) => ({ VarCharValue: c.Name })) }] : []
      return {
        UpdateCount: 0,
        ResultSet: { Rows: [...header, ...dataRows], ResultSetMetadata: { ColumnInfo: result.columns } },
        ...(next < result.rowCount ? { NextToken: encodeToken(execution.id, next) } : {}),
      }
    },

    async StopQueryExecution(body) {
      const { QueryExecutionId } = parseInput(queryExecutionIdInput, body)
      find(QueryExecutionId)
      options.executions.stop(QueryExecutionId)
      return {}
    },
  }

  async function start(input: z.infer<typeof startQueryExecutionInput>): Promise<StartedQuery> {
    if (takeCount(options.faults().tooManyRequests)) throw tooManyRequests()
    const outputLocation = input.ResultConfiguration?.OutputLocation ?? options.defaultOutputLocation
    if (!/^s3:\/\/[^/]+/.test(outputLocation)) {
      throw invalidRequest(
        'The S3 location provided to save your query results is invalid. ' +
          'Please check your S3 location is correct and is in the same region and try again.',
      )
    }
    const catalog = input.QueryExecutionContext?.Catalog ?? 'AwsDataCatalog'
    if (catalog.toLowerCase() !== 'awsdatacatalog') {
      throw invalidRequest(`Catalog '${catalog}' does not exist`, 'INVALID_INPUT')
    }
    let query = input.QueryString
    if (input.ExecutionParameters) {
      const substituted = substituteParameters(query, input.ExecutionParameters)
      if (substituted === undefined) {
        const message = 'The number of ExecutionParameters does not match the placeholders in the query'
        throw invalidRequest(message, 'INVALID_INPUT')
      }
      query = substituted
    }
    await checkSyntax(query)
    const execution = options.executions.start({
      query,
      database: input.QueryExecutionContext?.Database ?? 'default',
      catalog: 'AwsDataCatalog',
      workGroup: input.WorkGroup ?? 'primary',
      outputLocation,
      failReason: takeQueryFailure(options.faults(), options.random),
    })
    return { id: execution.id, queryString: input.QueryString }
  }

  async function checkSyntax(query: string) {
    let count: number
    try {
      count = await options.countStatements(query)
    } catch (error) {
      const message = String((error as Error).message)
        .replace(/^Failed to extract statements: /, '')
        .split('\n')[0]
      throw invalidRequest(`line 1:1: ${message.replace(/^Parser Error: /, '')}`, 'MALFORMED_QUERY')
    }
    if (count === 0) throw invalidRequest('line 1:1: the query contains no statement', 'MALFORMED_QUERY')
    if (count > 1) throw invalidRequest(`Only one sql statement is allowed. Got: ${query}`, 'MALFORMED_QUERY')
  }

  return async function handleAthena(req: IncomingMessage, res: ServerResponse) {
    const target = String(req.headers['x-amz-target'] ?? '')
    const name = target.startsWith('AmazonAthena.') ? target.slice('AmazonAthena.'.length) : ''
    options.count(name || target || 'unknown')
    try {
      const operation = Object.hasOwn(operations, name) ? operations[name] : undefined
      if (!operation) {
        throw new AthenaApiError(400, 'UnknownOperationException', `Unknown operation ${target}`)
      }
      // the body is read before anything is parsed: its SHA-256 is part of what was signed
      const body = await readBody(req)
      const signature = { service: 'athena', identity: options.identity, bodyHash: sha256Hex(body), maxSkewMs: ATHENA_MAX_SKEW_MS }
      const refused = verifySigV4(req, signature)
      if (refused) throw athenaAuthError(refused)
      sendAthenaJson(res, 200, await operation(parseJsonBody(body)))
    } catch (error) {
      if (error instanceof AthenaApiError) return sendAthenaError(res, error)
      throw error
    }
  }
}

function throwError(error: Error): never {
  throw error
}
