import type { QueryExecution, QueryExecutions } from './query-executions.ts'

/** `GET /_admin/stats`: every query ever started, and requests counted per operation */
export interface EmulatorStats {
  queries: {
    id: string
    query: string
    state: QueryExecution['state']
    /** result rows (0 until SUCCEEDED) */
    rows: number
    dataScannedBytes: number
    /** ISO-8601 */
    submittedAt: string
  }[]
  /** `StartQueryExecution`, `GetQueryResults`, …, `s3:GetObject`, `s3:HeadObject` → count */
  requests: Record<string, number>
}

export type RequestCounter = ReturnType<typeof createRequestCounter>

export function createRequestCounter() {
  let counts: Record<string, number> = {}
  return {
    count: (operation: string) => void (counts[operation] = (counts[operation] ?? 0) + 1),
    snapshot: () => ({ ...counts }),
    reset: () => void (counts = {}),
  }
}

export function describeQueries(executions: readonly QueryExecution[]): EmulatorStats['queries'] {
  return executions.map((execution) => ({
    id: execution.id,
    query: execution.query,
    state: execution.state,
    rows: execution.result?.rowCount ?? 0,
    dataScannedBytes: execution.dataScannedBytes,
    submittedAt: new Date(execution.submittedMs).toISOString(),
  }))
}

/** `GET /_admin/stats`, and `DELETE /_admin/stats` to start counting afresh */
export function createStatsRoutes(executions: QueryExecutions, requests: RequestCounter) {
  // executions stay (GetQueryResults still needs them); stats only show the ones after a reset
  let from = 0
  return {
    'GET /_admin/stats': async (): Promise<EmulatorStats> => ({
      queries: describeQueries(executions.all().slice(from)),
      requests: requests.snapshot(),
    }),
    'DELETE /_admin/stats': async () => {
      from = executions.all().length
      requests.reset()
      return { ok: true }
    },
  }
}
