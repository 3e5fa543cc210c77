import type { DuckDBConnection } from '@duckdb/node-api'
import type { SalesProDatabase } from './database.ts'
import { ATHENA_TABLES, type AthenaTable } from './tables.ts'

/**
 * Athena bills the bytes it reads, and for these (unpartitioned, row-format) tables it reads
 * every table a query names in full. The estimate is rows × average rendered row width, the
 * width measured once per table on its first thousand rows.
 */
export function createScanEstimator(db: SalesProDatabase) {
  const widths = new Map<AthenaTable, number>()
  return async function scannedBytes(connection: DuckDBConnection, query: string): Promise<number> {
    let names: readonly string[]
    try {
      names = connection.getTableNames(query, false)
    } catch {
      return 0
    }
    const known: readonly string[] = ATHENA_TABLES
    const tables = new Set(
      names
        .map((name) => name.split('.').pop()!.replaceAll('"', '').toLowerCase())
        .filter((name): name is AthenaTable => known.includes(name)),
    )
    let total = 0
    for (const table of tables) {
      const read = async (sql: string) => (await connection.runAndReadAll(sql)).getRowsJS()[0][0]
      if (!widths.has(table)) {
        const sample = `SELECT * FROM ${db.table(table)} LIMIT 1000`
        const width = await read(`SELECT avg(strlen(CAST(s AS VARCHAR))) FROM (${sample}) s`)
        if (width === null) continue
        widths.set(table, Number(width))
      }
      total += Number(await read(`SELECT count(*) FROM ${db.table(table)}`)) * widths.get(table)!
    }
    return Math.round(total)
  }
}
