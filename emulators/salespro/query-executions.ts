import type { DuckDBConnection } from '@duckdb/node-api'
import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { SalesProDatabase } from './database.ts'
import { failureOf, translateDuckDbError, userFailure, type QueryFailure } from './query-failure.ts'
import { loadResultTable, materializeQuery, QueryFailedError, readResultPage, type QueryResult } from './query-runner.ts'
import { createSerial } from './serial.ts'
import { quoteIdent } from './tables.ts'

export const QUERY_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const
export type QueryState = (typeof QUERY_STATES)[number]
const FINAL: ReadonlySet<QueryState> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED'])

/** one StartQueryExecution: its lifecycle state and, once SUCCEEDED, its materialized result */
export interface QueryExecution {
  readonly id: string
  readonly query: string
  /** the Athena database the query runs in (QueryExecutionContext.Database, or `default`) */
  readonly database: string
  readonly catalog: string
  readonly workGroup: string
  /** full S3 url of the result file: `<request OutputLocation>/<id>.csv` */
  readonly outputLocation: string
  readonly submittedMs: number
  state: QueryState
  startedMs?: number
  completedMs?: number
  stateChangeReason?: string
  failure?: QueryFailure
  result?: QueryResult
  dataScannedBytes: number
}

export interface StartRequest {
  query: string
  database: string
  catalog: string
  workGroup: string
  outputLocation: string
  /** set when a fault knob decided that this query fails */
  failReason?: string
}

export interface QueryExecutionsOptions {
  db: SalesProDatabase
  resultsDir: string
  /** time a query spends QUEUED + RUNNING, read when the query starts */
  delayMs(): number
  /** a result's CSV is ready: S3 may serve it */
  onResult(execution: QueryExecution): void
  /** approximate bytes a query reads (Athena bills the whole table) */
  scannedBytes(connection: DuckDBConnection, query: string): Promise<number>
}

export interface QueryExecutions {
  start(request: StartRequest): QueryExecution
  get(id: string): QueryExecution | undefined
  /** QUEUED or RUNNING → CANCELLED; a finished query is left alone */
  stop(id: string): void
  all(): readonly QueryExecution[]
  readPage(execution: QueryExecution, offset: number, limit: number): Promise<(string | null)[][]>
  /** waits for running queries to settle */
  close(): Promise<void>
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

export function createQueryExecutions(options: QueryExecutionsOptions): QueryExecutions {
  const executions = new Map<string, QueryExecution>()
  const interrupts = new Map<string, () => void>()
  const running = new Set<Promise<void>>()
  let reader: Promise<DuckDBConnection> | undefined
  const tablesLoaded = new Set<string>()
  const readSerially = createSerial()
  let closed = false

  const finish = (execution: QueryExecution, state: QueryState, reason?: string) => {
    execution.state = state
    execution.completedMs = Date.now()
    execution.stateChangeReason = reason
  }

  async function run(execution: QueryExecution, failReason: string | undefined) {
    const delay = options.delayMs()
    // a quarter of the delay queued, the rest running, as a small real query behaves
    await sleep(delay / 4)
    if (execution.state !== 'QUEUED') return
    execution.state = 'RUNNING'
    execution.startedMs = Date.now()
    const name = `q_${execution.id.replaceAll('-', '_')}`
    let result: QueryResult | undefined
    let failure: QueryFailure | undefined = failReason ? failureOf(failReason) : undefined
    if (!failure) {
      const connection = await options.db.connect()
      interrupts.set(execution.id, () => connection.interrupt())
      try {
        await connection.run(`USE awsdatacatalog.${quoteIdent(execution.database)}`).catch(() => {
          const reason = `SCHEMA_NOT_FOUND: Schema '${execution.database}' does not exist`
          throw new QueryFailedError(userFailure(reason))
        })
        const csvPath = join(options.resultsDir, `${execution.id}.csv`)
        result = await materializeQuery(connection, execution.query, name, csvPath)
        // statistics are best effort: they never fail a query
        execution.dataScannedBytes = await options.scannedBytes(connection, execution.query).catch(() => 0)
      } catch (error) {
        const qualify = (t: string) => (t.includes('.') ? t : `awsdatacatalog.${execution.database}.${t}`)
        failure = error instanceof QueryFailedError ? error.failure : translateDuckDbError(error, qualify)
      } finally {
        interrupts.delete(execution.id)
        connection.closeSync()
      }
    }
    await sleep(execution.submittedMs + delay - Date.now())
    // StopQueryExecution may have cancelled it meanwhile
    if ((execution.state as QueryState) === 'CANCELLED') {
      if (result) await discard(result)
      return
    }
    if (failure) {
      execution.failure = failure
      return finish(execution, 'FAILED', failure.reason)
    }
    execution.result = result
    options.onResult(execution)
    finish(execution, 'SUCCEEDED')
  }

  async function discard(result: QueryResult) {
    const connection = await options.db.connect()
    try {
      await connection.run(`DROP TABLE IF EXISTS ${result.table}`)
    } finally {
      connection.closeSync()
    }
    await rm(result.csvPath, { force: true })
  }

  return {
    start(request) {
      if (closed) throw new Error('the emulator is closing')
      const id = randomUUID()
      const execution: QueryExecution = {
        id,
        query: request.query,
        database: request.database,
        catalog: request.catalog,
        workGroup: request.workGroup,
        outputLocation: `${request.outputLocation.replace(/\/*$/, '/')}${id}.csv`,
        submittedMs: Date.now(),
        state: 'QUEUED',
        dataScannedBytes: 0,
      }
      executions.set(id, execution)
      const task = run(execution, request.failReason).catch((error) => {
        const reason = `GENERIC_INTERNAL_ERROR: ${(error as Error).message}`
        if (!FINAL.has(execution.state)) finish(execution, 'FAILED', reason)
      })
      running.add(task)
      void task.finally(() => running.delete(task))
      return execution
    },
    get: (id) => executions.get(id),
    stop(id) {
      const execution = executions.get(id)
      if (!execution || FINAL.has(execution.state)) return
      finish(execution, 'CANCELLED', 'Query cancelled by user')
      interrupts.get(id)?.()
    },
    all: () => [...executions.values()],
    async readPage(execution, offset, limit) {
      // one long-lived connection serves every page, one statement at a time
      reader ??= options.db.connect()
      const connection = await reader
      const result = execution.result!
      return readSerially(async () => {
        // the table GetQueryResults pages is built from the result file on the first ask
        if (!tablesLoaded.has(execution.id)) {
          await loadResultTable(connection, result)
          tablesLoaded.add(execution.id)
        }
        return readResultPage(connection, result, offset, limit)
      })
    },
    async close() {
      closed = true
      for (const interrupt of interrupts.values()) interrupt()
      await Promise.allSettled([...running])
      if (reader) {
        const connection = await reader
        await readSerially(async () => connection.closeSync())
      }
    },
  }
}
