import { SyncError } from '../../../errors.ts'

/**
 * SQL for Athena (Trino). Identifiers are double-quoted; literals are built only from values
 * validated here, since Athena's ExecutionParameters guess types from text (source-apis.md §1.6).
 */
const ATHENA_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$/

export const quoteAthenaIdent = (name: string) => {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SyncError('config_invalid', `not a valid Athena identifier: ${JSON.stringify(name)}`)
  return `"${name}"`
}

export const stringLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`

export function timestampLiteral(value: string): string {
  if (!ATHENA_TIMESTAMP.test(value)) throw new SyncError('internal', `not an Athena timestamp: ${JSON.stringify(value)}`)
  return `TIMESTAMP '${value}'`
}

/** An ISO-8601 instant (`--since 2024-05-01`, `2024-05-01T10:00:00Z`) as Athena timestamp text in UTC. */
export function isoToAthena(iso: string): string {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T00:00:00Z` : iso)
  if (Number.isNaN(ms)) throw new SyncError('config_invalid', `not an ISO-8601 date or time: ${JSON.stringify(iso)}`)
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
}

/** `ts − seconds`, rounded down to the millisecond (a lower bound may only move earlier). */
export function minusSeconds(athenaTimestamp: string, seconds: number): string {
  const [whole] = athenaTimestamp.split('.')
  const ms = Date.parse(`${whole.replace(' ', 'T')}Z`) - seconds * 1000
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
}

export interface WindowQuery {
  database: string
  table: string
  /** the modification-time column the cursor follows */
  cursorColumn: string
  /** tie-breakers after the cursor column, in order (the key; for keyless tables every column) */
  orderColumns: readonly string[]
  /** keyset position: rows strictly after (ts, key), or from ts inclusive when key is undefined */
  after?: { ts: string; key?: string }
  until?: string
  /** rows with a NULL cursor column are read too (full passes, so they are rejected, not silently skipped) */
  includeNullCursor: boolean
}

/**
 * ONE query per run (docs/design.md §3.10): Athena scans the whole table for every query and bills by
 * bytes scanned, so the run reads its window once, ordered by the cursor, and streams the result.
 */
export function buildWindowQuery(q: WindowQuery): string {
  const ts = quoteAthenaIdent(q.cursorColumn)
  const conditions: string[] = []
  if (q.after) {
    const from = timestampLiteral(q.after.ts)
    conditions.push(
      q.after.key === undefined
        ? `${ts} >= ${from}`
        : `(${ts} > ${from} OR (${ts} = ${from} AND ${quoteAthenaIdent(q.orderColumns[0])} > ${stringLiteral(q.after.key)}))`,
    )
  }
  if (q.until) conditions.push(`${ts} < ${timestampLiteral(q.until)}`)
  let where = conditions.join(' AND ')
  if (q.includeNullCursor) where = where ? `${ts} IS NULL OR (${where})` : ''
  else where = where ? `${ts} IS NOT NULL AND ${where}` : `${ts} IS NOT NULL`
  const order = [`${ts} ASC NULLS FIRST`, ...q.orderColumns.map((c) => `${quoteAthenaIdent(c)} ASC NULLS FIRST`)]
  return `SELECT * FROM ${quoteAthenaIdent(q.database)}.${quoteAthenaIdent(q.table)}${where ? ` WHERE ${where}` : ''} ORDER BY ${order.join(', ')}`
}
