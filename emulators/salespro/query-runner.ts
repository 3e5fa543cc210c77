import { StatementType, type DuckDBConnection } from '@duckdb/node-api'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, stat } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { athenaColumnName, columnInfo, renderSql, type ColumnInfo } from './athena-types.ts'
import { RESULTS } from './database.ts'
import { rewritePrestoFunctions } from './presto-compat.ts'
import { userFailure, type QueryFailure } from './query-failure.ts'
import { quoteIdent } from './tables.ts'

/**
 * a finished query's result: its CSV file (what S3 serves) and, built from that file the first
 * time GetQueryResults asks, a table of Athena-rendered text columns `c0…cN`
 */
export interface QueryResult {
  /** `results.q_<n>`, rows in result order (rowid 0…rowCount-1); exists once `loadResultTable` ran */
  readonly table: string
  readonly columns: readonly ColumnInfo[]
  readonly rowCount: number
  readonly csvPath: string
  readonly csvBytes: number
}

export class QueryFailedError extends Error {
  readonly failure: QueryFailure
  constructor(failure: QueryFailure) {
    super(failure.reason)
    this.failure = failure
  }
}

/** trailing semicolons and whitespace would break the wrapping subquery */
const trimStatement = (sql: string) => sql.replace(/[\s;]+$/, '')

/**
 * Runs one SELECT straight into Athena's CSV format (what S3 serves), values already rendered as
 * Athena prints them: one statement, one snapshot, so concurrent mutations never leak into a
 * running result. The table GetQueryResults pages is built from that file only when a client
 * asks for it (most read the CSV): a second pass over a million rows would double the query's
 * time. Binder and catalog errors throw the Athena failure they correspond to.
 */
export async function materializeQuery(
  connection: DuckDBConnection,
  sql: string,
  name: string,
  csvPath: string,
): Promise<QueryResult> {
  const statement = rewritePrestoFunctions(trimStatement(sql))
  const extracted = await connection.extractStatements(statement)
  const prepared = await extracted.prepare(0)
  const duckColumns = Array.from({ length: prepared.columnCount }, (_, i) => ({
    name: prepared.columnName(i),
    type: prepared.columnType(i).toString(),
  }))
  const statementType = prepared.statementType
  prepared.destroySync()
  if (statementType !== StatementType.SELECT) {
    const reason = 'NOT_SUPPORTED: the SalesPro emulator only runs queries (SELECT, WITH, SHOW, DESCRIBE)'
    throw new QueryFailedError(userFailure(reason))
  }
  const columns = duckColumns.map((c, i) => columnInfo(athenaColumnName(c.name, i), c.type))
  const table = `${RESULTS}.${quoteIdent(name)}`
  const aliases = duckColumns.map((_, i) => `c${i}`).join(', ')
  const rendered = duckColumns.map((c, i) => `${renderSql(`__q.c${i}`, c.type)} AS ${quoteIdent(columns[i].Name)}`).join(', ')
  // (the newlines keep a trailing -- comment in the query from swallowing the closing parenthesis)
  const source = `(\n${statement}\n) AS __q(${aliases})`
  const path = csvPath.replaceAll("'", "''")
  // Athena's CSV: every value and the header quoted, "" doubled, NULL an empty unquoted field
  const format = `FORMAT csv, HEADER, FORCE_QUOTE *, NEW_LINE '\n'`
  const copied = await connection.run(`COPY (SELECT ${rendered} FROM ${source}) TO '${path}' (${format})`)
  const names = columns.map((c) => c.Name)
  // DuckDB renames duplicate column names in the header ("id", "id_1"); Athena keeps them
  if (new Set(names).size !== names.length) await replaceFirstLine(csvPath, names.map(csvQuote).join(','))
  return { table, columns, rowCount: copied.rowsChanged, csvPath, csvBytes: (await stat(csvPath)).size }
}

/**
 * Builds a result's table from its CSV, once: the file holds exactly the query's snapshot, and
 * reading it back keeps NULL (empty, unquoted) apart from "" (quoted). Rows keep file order.
 */
export async function loadResultTable(connection: DuckDBConnection, result: QueryResult): Promise<void> {
  const columns = result.columns.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ')
  const path = result.csvPath.replaceAll("'", "''")
  const options = `header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, columns = {${columns}}`
  await connection.run(`CREATE TABLE IF NOT EXISTS ${result.table} AS SELECT * FROM read_csv('${path}', ${options})`)
}

/** a page of rendered rows: text, or null for NULL */
export async function readResultPage(
  connection: DuckDBConnection,
  result: QueryResult,
  offset: number,
  limit: number,
): Promise<(string | null)[][]> {
  const columns = result.columns.map((_, i) => `c${i}`).join(', ')
  // rowid follows insertion order, which is result order, and DuckDB keeps that order for a
  // plain scan (preserve_insertion_order); a rowid range costs no OFFSET scan
  const range = `rowid >= ${offset} AND rowid < ${offset + limit}`
  const reader = await connection.runAndReadAll(`SELECT ${columns} FROM ${result.table} WHERE ${range}`)
  // every result column is VARCHAR, so the raw values already are strings or null (and
  // getRows skips the slower JS conversion)
  return reader.getRows() as (string | null)[][]
}

const csvQuote = (text: string) => `"${text.replaceAll('"', '""')}"`

async function replaceFirstLine(path: string, line: string) {
  const temporary = `${path}.header`
  let headerDone = false
  await pipeline(
    createReadStream(path),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        if (headerDone) {
          yield chunk
          continue
        }
        const end = chunk.indexOf(0x0a)
        if (end < 0) continue
        headerDone = true
        yield Buffer.from(`${line}\n`)
        yield chunk.subarray(end + 1)
      }
    },
    createWriteStream(temporary),
  )
  await rename(temporary, path)
}
