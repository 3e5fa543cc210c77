import { DuckDBTimestampValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api'
import { CATALOG, type SalesProDatabase } from './database.ts'
import type { CustomerContext, Generators, Row } from './generators.ts'
import { breakRow, hasMalformedRows } from './malformed.ts'
import { ATHENA_TABLES, TABLES, type AthenaTable, type Column } from './tables.ts'

export interface GenerateOptions {
  /** number of customers; the other tables follow in proportion */
  rows: number
  /** the tables to fill; the others stay empty */
  only: ReadonlySet<AthenaTable>
  /** malformed rows to add per updatable table */
  malformed: number
}

/** where each id space continues, so rows inserted later never reuse a generated key */
export interface IdCounters {
  customer: number
  estimate: number
  credit: number
  payment: number
  activityRow: number
}

/**
 * Fills the tables with the DuckDB appender, one customer (and its estimates, lead results,
 * credit applications, payments and activity) at a time: rows go straight into DuckDB, so
 * memory stays flat however many rows are asked for.
 */
export async function generateTables(
  connection: DuckDBConnection,
  db: SalesProDatabase,
  generators: Generators,
  options: GenerateOptions,
): Promise<IdCounters> {
  const appenders = new Map<AthenaTable, DuckDBAppender>()
  for (const name of ATHENA_TABLES) {
    if (!options.only.has(name)) continue
    appenders.set(name, await connection.createAppender(name, db.database, CATALOG))
  }
  const append = (table: AthenaTable, row: Row) => {
    const appender = appenders.get(table)
    if (appender) appendRow(appender, TABLES[table].columns, row)
  }
  const dependsOnEstimates: readonly AthenaTable[] = ['estimate', 'lead_results', 'credit_applications']
  const needEstimates = dependsOnEstimates.some((t) => options.only.has(t))
  const counters: IdCounters = { customer: 0, estimate: 0, credit: 0, payment: 0, activityRow: 1 }

  const addCustomer = (): CustomerContext => {
    const { row, context, shape } = generators.customer(counters.customer++, counters.estimate)
    append('customer', row)
    for (let e = 0; e < shape.estimates; e++) {
      if (!needEstimates) break
      const estimate = generators.estimate(context, counters.estimate + e)
      append('estimate', estimate.row)
      if (options.only.has('lead_results')) {
        const lead = generators.leadResult(estimate.context)
        if (lead) append('lead_results', lead)
      }
      if (estimate.context.hasCreditApp) {
        append('credit_applications', generators.creditApplication(estimate.context, counters.credit++))
      }
    }
    counters.estimate += shape.estimates
    for (let p = 0; p < shape.payments && options.only.has('payments'); p++) {
      append('payments', generators.payment(context, counters.payment + p))
    }
    counters.payment += shape.payments
    for (let a = 0; a < shape.activities && options.only.has('user_activity'); a++) {
      append('user_activity', generators.activity(context, counters.activityRow + a))
    }
    counters.activityRow += shape.activities
    return context
  }

  for (let i = 0; i < options.rows; i++) addCustomer()
  if (options.malformed > 0) addMalformed(generators, options, counters, append)
  for (const appender of appenders.values()) appender.closeSync()
  return counters
}

function addMalformed(
  generators: Generators,
  options: GenerateOptions,
  counters: IdCounters,
  append: (table: AthenaTable, row: Row) => void,
) {
  for (let n = 0; n < options.malformed; n++) {
    // a customer of its own for each round, so broken rows carry realistic values
    const customer = generators.customer(counters.customer++, counters.estimate)
    const estimate = generators.estimate(customer.context, counters.estimate++)
    const rows: Partial<Record<AthenaTable, Row>> = {
      customer: customer.row,
      estimate: estimate.row,
      lead_results: generators.leadResult(estimate.context) ?? undefined,
      credit_applications: generators.creditApplication(estimate.context, counters.credit++),
      payments: generators.payment(customer.context, counters.payment++),
    }
    for (const table of ATHENA_TABLES) {
      const row = rows[table]
      if (!options.only.has(table) || !hasMalformedRows(table)) continue
      // the ~10% of estimates without a lead result still get a broken one
      const { id, createdMs } = estimate.context
      append(table, breakRow(table, row ?? [id, customer.context.company.id, '[]', createdMs, createdMs], n))
    }
  }
}

/** appends one generated row; see `RowValue` for how values are encoded */
export function appendRow(appender: DuckDBAppender, columns: readonly Column[], row: Row) {
  for (let i = 0; i < columns.length; i++) {
    const value = row[i]
    if (value === null) {
      appender.appendNull()
      continue
    }
    switch (columns[i].type) {
      case 'varchar':
        appender.appendVarchar(value as string)
        break
      case 'timestamp':
        appender.appendTimestamp(new DuckDBTimestampValue(BigInt(value as number) * 1000n))
        break
      case 'decimal':
        // integer cents; the appender casts the double to DECIMAL(12,2), exact for cents
        appender.appendDouble((value as number) / 100)
        break
      case 'boolean':
        appender.appendBoolean(value as boolean)
        break
      case 'bigint':
        appender.appendBigInt(BigInt(value as number))
        break
    }
  }
  appender.endRow()
}
