import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { prestoMacros } from './presto-compat.ts'
import {
  ATHENA_TABLES,
  createTableSql,
  quoteIdent,
  TABLES,
  validRowSql,
  type AthenaTable,
  type TableSpec,
} from './tables.ts'

/** the DuckDB catalog that stands in for Athena's AwsDataCatalog */
export const CATALOG = 'awsdatacatalog'
/** where query results are materialized (one table per query execution) */
export const RESULTS = 'results'

/**
 * The emulator's DuckDB: the SalesPro tables in `awsdatacatalog.<database>`, and an attached
 * `results` database for query results. Every connection works in UTC.
 */
export interface SalesProDatabase {
  readonly database: string
  /** `awsdatacatalog."<database>"` */
  readonly schema: string
  /** the qualified name of one Athena table */
  table(name: AthenaTable): string
  /** a table's current shape: the generated one until `POST /_admin/alter` changes it */
  spec(name: AthenaTable): TableSpec
  /** records a table's new shape (the DuckDB table must already have it) */
  reshape(spec: TableSpec): void
  /** a fresh connection in `awsdatacatalog.<database>` (a connection runs one statement at a time) */
  connect(): Promise<DuckDBConnection>
  close(): void
}

export async function openDatabase(database: string, resultsPath: string): Promise<SalesProDatabase> {
  const instance = await DuckDBInstance.create(':memory:')
  const schema = `${CATALOG}.${quoteIdent(database)}`
  const setup = await instance.connect()
  try {
    // Athena renders timestamps in UTC whatever the machine's zone
    await setup.run(`SET GLOBAL TimeZone = 'UTC'`)
    await setup.run(`ATTACH ':memory:' AS ${CATALOG}`)
    // Athena runs a query without QueryExecutionContext.Database in `default`
    for (const name of new Set([database, 'default'])) {
      await setup.run(`CREATE SCHEMA ${CATALOG}.${quoteIdent(name)}`)
      for (const macro of prestoMacros(`${CATALOG}.${quoteIdent(name)}`)) await setup.run(macro)
    }
    // results live in a file so a million-row result does not have to stay in memory
    await setup.run(`ATTACH '${resultsPath.replaceAll("'", "''")}' AS ${RESULTS}`)
    for (const name of ATHENA_TABLES) await setup.run(createTableSql(schema, TABLES[name]))
  } finally {
    setup.closeSync()
  }
  const connect = async () => {
    const connection = await instance.connect()
    await connection.run(`USE ${schema}`)
    return connection
  }
  // per database, not the module's TABLES: emulators in one process must not share an alteration
  const specs = new Map<AthenaTable, TableSpec>(ATHENA_TABLES.map((name) => [name, TABLES[name]]))
  return {
    database,
    schema,
    table: (name) => `${schema}.${quoteIdent(name)}`,
    spec: (name) => specs.get(name)!,
    reshape: (spec) => void specs.set(spec.name, spec),
    connect,
    close: () => instance.closeSync(),
  }
}

/** raw row counts of the Athena tables, malformed rows included */
export async function athenaTableCounts(
  connection: DuckDBConnection,
  db: SalesProDatabase,
): Promise<Record<AthenaTable, number>> {
  const counts = ATHENA_TABLES.map((name) => `SELECT '${name}', count(*) FROM ${db.table(name)}`)
  const sql = counts.join(' UNION ALL ')
  const rows = (await connection.runAndReadAll(sql)).getRowsJS() as [AthenaTable, bigint][]
  return Object.fromEntries(rows.map(([name, n]) => [name, Number(n)])) as Record<AthenaTable, number>
}

/**
 * Rows per crmsync stream: distinct valid keys (see `validRowSql`), and for line items the
 * rule in `countLineItems` applied to each valid lead result's newest row.
 */
export async function streamCounts(
  connection: DuckDBConnection,
  db: SalesProDatabase,
): Promise<Record<string, number>> {
  const count = (name: AthenaTable) => {
    const spec = db.spec(name)
    const what = spec.key ? `count(DISTINCT ${spec.key})` : 'count(*)'
    return `(SELECT ${what} FROM ${db.table(name)} WHERE ${validRowSql(spec)})`
  }
  const lineItems = `(
    WITH leads AS (
      SELECT estimate_id, lead_results FROM ${db.table('lead_results')}
      WHERE ${validRowSql(db.spec('lead_results'))}
      QUALIFY row_number() OVER (PARTITION BY estimate_id ORDER BY updated_at DESC) = 1
    ), items AS (
      SELECT estimate_id,
        unnest(from_json(lead_results, '[{"title":"VARCHAR","value":"VARCHAR"}]'), recursive := true)
      FROM leads WHERE json_type(lead_results) = 'ARRAY'
    ), per_lead AS (
      SELECT CASE WHEN count(*) FILTER (WHERE regexp_full_match(title, 'Job Type [0-9]+')) > 0
        THEN count(*) FILTER (WHERE regexp_full_match(title, 'Job Type [0-9]+') AND coalesce(value, '') <> '')
        ELSE least(1, count(*) FILTER (WHERE title = 'Job Type' AND coalesce(value, '') <> '')) END AS n
      FROM items GROUP BY estimate_id
    ) SELECT coalesce(sum(n), 0) FROM per_lead)`
  const sql = `SELECT ${count('customer')}, ${count('estimate')}, ${count('credit_applications')},
    ${count('lead_results')}, ${lineItems}, ${count('payments')}, ${count('user_activity')}`
  const [row] = (await connection.runAndReadAll(sql)).getRowsJS() as (bigint | number)[][]
  const [customer, estimate, credit, lead, lineItem, payment, activity] = row.map(Number)
  return {
    customer,
    estimate,
    credit_application: credit,
    lead_result: lead,
    lead_result_line_item: lineItem,
    payment,
    user_activity: activity,
  }
}
