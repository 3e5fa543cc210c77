import { invalidRequest } from './athena-errors.ts'
import type { QueryExecution } from './query-executions.ts'

/** Athena's JSON timestamps are epoch seconds, with a fraction */
const epochSeconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000)

/** the `QueryExecution` member of a GetQueryExecution answer */
export function describeExecution(execution: QueryExecution) {
  const { failure } = execution
  const end = execution.completedMs ?? Date.now()
  const started = execution.startedMs ?? end
  return {
    QueryExecutionId: execution.id,
    Query: execution.query,
    StatementType: 'DML',
    SubstatementType: 'SELECT',
    ResultConfiguration: { OutputLocation: execution.outputLocation },
    ResultReuseConfiguration: { ResultReuseByAgeConfiguration: { Enabled: false } },
    QueryExecutionContext: { Database: execution.database, Catalog: execution.catalog.toLowerCase() },
    Status: {
      State: execution.state,
      ...(execution.stateChangeReason ? { StateChangeReason: execution.stateChangeReason } : {}),
      SubmissionDateTime: epochSeconds(execution.submittedMs),
      ...(execution.completedMs !== undefined
        ? { CompletionDateTime: epochSeconds(execution.completedMs) }
        : {}),
      ...(failure
        ? {
            AthenaError: {
              ErrorCategory: failure.category,
              ErrorType: failure.errorType,
              Retryable: failure.retryable,
              ErrorMessage: failure.reason,
            },
          }
        : {}),
    },
    Statistics: {
      EngineExecutionTimeInMillis: Math.max(0, end - started),
      DataScannedInBytes: execution.dataScannedBytes,
      TotalExecutionTimeInMillis: Math.max(0, end - execution.submittedMs),
      QueryQueueTimeInMillis: Math.max(0, started - execution.submittedMs),
      ServicePreProcessingTimeInMillis: 0,
      QueryPlanningTimeInMillis: 0,
      ServiceProcessingTimeInMillis: 0,
      ResultReuseInformation: { ReusedPreviousResult: false },
    },
    WorkGroup: execution.workGroup,
    EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
  }
}

/** NextToken: opaque to clients; base64 of the execution id and the next data row */
export function encodeToken(id: string, offset: number): string {
  return Buffer.from(JSON.stringify({ id, offset })).toString('base64')
}

export function decodeToken(token: string, id: string): number {
  try {
    const text = Buffer.from(token, 'base64').toString('utf8')
    const parsed = JSON.parse(text) as { id?: unknown; offset?: unknown }
    const offset = parsed.offset as number
    if (parsed.id === id && Number.isSafeInteger(offset) && offset >= 0) return offset
  } catch {
    // fall through: not one of ours
  }
  throw invalidRequest('The NextToken provided is invalid.', 'INVALID_INPUT')
}
