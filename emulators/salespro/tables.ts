import { renderSql } from './athena-types.ts'

/**
 * The six SalesPro tables as they appear in Athena, in column order, and how each maps onto the
 * crmsync streams. The column lists are the single source for the DDL, the generators, the
 * admin mutate endpoint and the row counts.
 */
export const ATHENA_TABLES = [
  'customer',
  'estimate',
  'credit_applications',
  'lead_results',
  'payments',
  'user_activity',
] as const
export type AthenaTable = (typeof ATHENA_TABLES)[number]

export const STREAMS = [
  'customer',
  'estimate',
  'credit_application',
  'lead_result',
  'lead_result_line_item',
  'payment',
  'user_activity',
] as const
export type StreamName = (typeof STREAMS)[number]

/** the generated tables use the first five; `POST /_admin/alter` may add or retype to any */
export type ColumnType =
  'varchar' | 'timestamp' | 'decimal' | 'boolean' | 'bigint' | 'integer' | 'double' | 'date'

export interface Column {
  readonly name: string
  readonly type: ColumnType
  /** a decimal's precision and scale; the generated money columns are DECIMAL(12,2) */
  readonly precision?: number
  readonly scale?: number
}

export interface TableSpec {
  readonly name: AthenaTable
  /** the crmsync stream fed by this table */
  readonly stream: StreamName
  /** the primary key column; null for the append-only `user_activity` log */
  readonly key: string | null
  /** whether rows change after they are written (has `updated_at`) */
  readonly updatable: boolean
  readonly columns: readonly Column[]
}

const v = (name: string): Column => ({ name, type: 'varchar' })
const ts = (name: string): Column => ({ name, type: 'timestamp' })
const dec = (name: string): Column => ({ name, type: 'decimal' })
const bool = (name: string): Column => ({ name, type: 'boolean' })
const big = (name: string): Column => ({ name, type: 'bigint' })

// prettier-ignore
export const TABLES: Readonly<Record<AthenaTable, TableSpec>> = {
  customer: {
    name: 'customer',
    stream: 'customer',
    key: 'customer_id',
    updatable: true,
    columns: [
      v('customer_id'), v('estimate_id'), v('company_id'), v('company_name'), v('customer_first_name'),
      v('customer_last_name'), v('crm_source'), v('crm_source_id'), ts('created_at'), ts('updated_at'),
    ],
  },
  estimate: {
    name: 'estimate',
    stream: 'estimate',
    key: 'estimate_id',
    updatable: true,
    columns: [
      v('estimate_id'), v('company_id'), v('company_name'), v('office_id'), v('office_name'),
      v('sales_rep_id'), v('sales_rep_first_name'), v('sales_rep_last_name'),
      v('customer_id'), v('customer_first_name'), v('customer_last_name'),
      v('street_address'), v('city'), v('state'), v('zip_code'),
      dec('sale_amount'), bool('is_sale'), v('job_type'),
      // money the sales app exports as text (see `exportedMoney`), not as a decimal
      v('finance_amount'), v('bank_name'), v('loan_name'), v('down_payment'), bool('has_credit_app'),
      big('document_count'), ts('created_at'), ts('updated_at'),
    ],
  },
  credit_applications: {
    name: 'credit_applications',
    stream: 'credit_application',
    key: 'leap_credit_app_id',
    updatable: true,
    columns: [
      v('leap_credit_app_id'), v('company_id'), v('company_name'), v('sales_rep_id'), v('customer_id'),
      v('credit_app_vendor'), v('credit_app_vendor_id'), dec('credit_app_amount'), v('credit_app_status'),
      v('credit_app_note'), ts('created_at'), ts('updated_at'),
    ],
  },
  lead_results: {
    name: 'lead_results',
    stream: 'lead_result',
    key: 'estimate_id',
    updatable: true,
    columns: [v('estimate_id'), v('company_id'), v('lead_results'), ts('created_at'), ts('updated_at')],
  },
  payments: {
    name: 'payments',
    stream: 'payment',
    key: 'payment_id',
    updatable: true,
    columns: [
      v('payment_id'), v('company_id'), v('company_name'), v('customer_id'), dec('payment_amount'),
      v('payment_type'),
      v('payment_description'), bool('payment_success'), ts('created_at'), ts('updated_at'),
    ],
  },
  user_activity: {
    name: 'user_activity',
    stream: 'user_activity',
    key: null,
    updatable: false,
    columns: [
      ts('created_at'), v('user_id'), v('company_id'), v('company_name'), v('local_customer_uuid'),
      v('customer_id'), v('activity_note'), v('key_metric'), v('activity_identifier'), v('price_type'),
      dec('price'), big('original_row_num'),
    ],
  },
}

const SQL_TYPES: Record<Exclude<ColumnType, 'decimal'>, string> = {
  varchar: 'VARCHAR',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
  bigint: 'BIGINT',
  integer: 'INTEGER',
  double: 'DOUBLE',
  date: 'DATE',
}

/** the column's type in DuckDB's (and Athena's DDL) spelling */
export function sqlType(column: Omit<Column, 'name'>): string {
  if (column.type !== 'decimal') return SQL_TYPES[column.type]
  return `DECIMAL(${column.precision ?? 12},${column.scale ?? 2})`
}

/**
 * `expr`, a value of column `from`'s type, as a value of `to`'s type: as text, the way Athena
 * renders it (a timestamp keeps its milliseconds, a decimal its scale); otherwise a cast that
 * leaves NULL where the value does not fit the new type.
 */
export function convertSql(expr: string, from: Omit<Column, 'name'>, to: Omit<Column, 'name'>): string {
  const source = sqlType(from)
  const target = sqlType(to)
  if (source === target) return expr
  if (to.type === 'varchar') return renderSql(expr, source)
  return `TRY_CAST(${expr} AS ${target})`
}

/** double-quotes an identifier for DuckDB */
export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`

export function createTableSql(schema: string, spec: TableSpec): string {
  const columns = spec.columns.map((c) => `${quoteIdent(c.name)} ${sqlType(c)}`).join(', ')
  // no PRIMARY KEY or NOT NULL: Athena enforces nothing, and malformed rows must be storable
  return `CREATE TABLE ${schema}.${quoteIdent(spec.name)} (${columns})`
}

/** the column an incremental read follows: `updated_at`, or `created_at` for the append-only log */
export const cursorColumn = (spec: TableSpec) => (spec.updatable ? 'updated_at' : 'created_at')

/** the row times every generated table has; a table altered since may have lost `created_at` */
const ROW_TIMES = new Set(['created_at', 'updated_at'])

/**
 * What makes a row one that crmsync should keep: a non-empty key and non-null row times, and for
 * lead results a JSON text that parses. Malformed rows (the `malformed` knob, or explicit inserts)
 * fail this predicate and are left out of the stream counts. `spec` is the table's current shape.
 */
export function validRowSql(spec: TableSpec): string {
  const parts = spec.columns.filter((c) => ROW_TIMES.has(c.name)).map((c) => `${c.name} IS NOT NULL`)
  if (spec.key) parts.unshift(`${spec.key} IS NOT NULL`, `${spec.key} <> ''`)
  if (spec.name === 'lead_results') parts.push(`(lead_results IS NULL OR json_valid(lead_results))`)
  return parts.join(' AND ')
}
