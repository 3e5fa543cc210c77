import type { DuckDBConnection } from '@duckdb/node-api'
import type { SalesProDatabase } from './database.ts'
import { sqlString } from './sql-literals.ts'
import { cursorColumn, quoteIdent, type AthenaTable } from './tables.ts'

/**
 * The emulator's tables are kept in the order of their modification time, as the time-partitioned
 * data of a real Athena source lies: DuckDB then answers a WHERE on that time from the row groups
 * whose min/max can hold it (an incremental read of 1M customers: 30 ms → 1.5 ms), not from a
 * scan of the whole table. The order is only ever about speed: a row out of place is still found.
 */

/** Rewrites a generated table in the order of its modification time (once, after generation). */
export async function orderByTime(connection: DuckDBConnection, db: SalesProDatabase, table: AthenaTable): Promise<void> {
  const name = db.table(table)
  const time = quoteIdent(cursorColumn(db.spec(table)))
  await connection.run(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM ${name} ORDER BY ${time} NULLS FIRST`)
}

/**
 * Moves rows just changed (their modification time is now the newest) to the end of their table,
 * where an in-place update would leave every row group holding a new time, and none skippable.
 * Runs inside the change's transaction.
 */
export async function moveToEnd(connection: DuckDBConnection, db: SalesProDatabase, table: AthenaTable, keys: readonly string[]): Promise<void> {
  const key = db.spec(table).key
  if (!key || keys.length === 0) return
  const name = db.table(table)
  const where = `${quoteIdent(key)} IN (${keys.map(sqlString).join(', ')})`
  await connection.run(`CREATE OR REPLACE TEMP TABLE __moved AS SELECT * FROM ${name} WHERE ${where}`)
  await connection.run(`DELETE FROM ${name} WHERE ${where}`)
  await connection.run(`INSERT INTO ${name} SELECT * FROM __moved`)
  await connection.run('DROP TABLE __moved')
}
