/**
 * Why a query ended FAILED, the way Athena reports it: a `StateChangeReason` such as
 * `TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.db.x' does not exist` plus an AthenaError.
 * DuckDB's error messages are translated into Trino's error names where the meaning matches.
 */
export interface QueryFailure {
  reason: string
  /** AthenaError.ErrorCategory: 1 SYSTEM, 2 USER, 3 OTHER */
  category: 1 | 2 | 3
  /** AthenaError.ErrorType: 200 engine internal error, 1000 user error, 1001 data error */
  errorType: number
  retryable: boolean
}

export const userFailure = (reason: string): QueryFailure => ({
  reason,
  category: 2,
  errorType: 1000,
  retryable: false,
})
export const systemFailure = (reason: string): QueryFailure => ({
  reason,
  category: 1,
  errorType: 200,
  retryable: true,
})

// Trino's error names for a query that is wrong, not unlucky: Athena answers them Retryable false
const USER_ERRORS = /^(TABLE_NOT_FOUND|SCHEMA_NOT_FOUND|COLUMN_NOT_FOUND|FUNCTION_NOT_FOUND|SYNTAX_ERROR|INVALID_CAST_ARGUMENT|PERMISSION_DENIED|ACCESS_DENIED)\b/

/** An injected failure (`failQueries`), classified by its reason the way Athena would. */
export const failureOf = (reason: string): QueryFailure => (USER_ERRORS.test(reason) ? userFailure(reason) : systemFailure(reason))

/** DuckDB points at the problem with `LINE n:` and a caret line; Trino says `line n:col` */
function position(message: string): string {
  const lines = message.split('\n')
  const at = lines.findIndex((l) => /^LINE \d+: /.test(l))
  if (at < 0) return 'line 1:1'
  const prefix = /^LINE (\d+): /.exec(lines[at])!
  const caret = lines[at + 1]?.indexOf('^') ?? -1
  return `line ${prefix[1]}:${caret >= 0 ? caret - prefix[0].length + 1 : 1}`
}

export function translateDuckDbError(error: unknown, qualify: (table: string) => string): QueryFailure {
  const message = String((error as Error)?.message ?? error)
  const first = message.split('\n')[0]
  let m: RegExpExecArray | null
  if ((m = /Table with name (\S+) does not exist/.exec(first))) {
    return userFailure(`TABLE_NOT_FOUND: ${position(message)}: Table '${qualify(m[1])}' does not exist`)
  }
  if ((m = /Schema with name "?([^"\s!]+)"? does not exist/.exec(first))) {
    return userFailure(`SCHEMA_NOT_FOUND: ${position(message)}: Schema '${m[1]}' does not exist`)
  }
  if ((m = /Referenced column "?([^"]+)"? not found/.exec(first))) {
    return userFailure(`COLUMN_NOT_FOUND: ${position(message)}: Column '${m[1]}' cannot be resolved`)
  }
  if ((m = /(?:Scalar|Aggregate|Table) Function with name (\S+) does not exist/.exec(first))) {
    return userFailure(`FUNCTION_NOT_FOUND: ${position(message)}: Function '${m[1]}' not registered`)
  }
  const detail = first.replace(/^\w+ Error: /, '')
  if (/^Conversion Error/.test(first)) {
    return { ...userFailure(`INVALID_CAST_ARGUMENT: ${detail}`), errorType: 1001 }
  }
  if (/^(Binder|Catalog|Parser) Error/.test(first)) {
    return userFailure(`SYNTAX_ERROR: ${position(message)}: ${detail}`)
  }
  return systemFailure(`GENERIC_INTERNAL_ERROR: ${first}`)
}
