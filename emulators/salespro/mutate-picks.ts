import type { DuckDBConnection } from '@duckdb/node-api'
import { deriveSeed, type Random } from '../shared/random.ts'
import type { SalesProDatabase } from './database.ts'
import type { CustomerContext, EstimateContext } from './generators.ts'
import type { Org } from './org.ts'
import { sqlString } from './sql-literals.ts'
import { convertSql, quoteIdent, sqlType, TABLES, validRowSql, type AthenaTable } from './tables.ts'

/**
 * Seeded random picks of existing rows for the admin mutate endpoint. Rows are ordered by a hash
 * of their key salted from the mutation stream, so the same seed and the same sequence of mutate
 * calls pick the same rows.
 */
export interface Picker {
  /** up to `n` distinct valid keys, none of them in `exclude` */
  keys(table: AthenaTable, n: number, exclude?: readonly string[]): Promise<string[]>
  /** existing customers, to hang new child rows on */
  customers(n: number): Promise<CustomerContext[]>
  /** existing estimates; with `withoutLeadResult`, only those that have no lead result yet */
  estimates(n: number, withoutLeadResult: boolean): Promise<EstimateContext[]>
}

export interface PickerContext {
  db: SalesProDatabase
  org: Org
  random: Random
  /** estimates whose lead result was deleted: never picked for a new one */
  deletedLeadResults?: ReadonlySet<string>
}

/**
 * A generated column as the value the generators know (its generated type), whatever
 * `POST /_admin/alter` did to it since: retyped columns are cast back, dropped ones read NULL.
 */
function generatedValue(db: SalesProDatabase, table: AthenaTable, name: string): string {
  const generated = TABLES[table].columns.find((c) => c.name === name)!
  const live = db.spec(table).columns.find((c) => c.name === name)
  if (!live) return `CAST(NULL AS ${sqlType(generated)})`
  return convertSql(quoteIdent(name), live, generated)
}

export function createPicker(connection: DuckDBConnection, { db, org, random, deletedLeadResults }: PickerContext): Picker {
  const salt = () => sqlString(String(random.int(0, 2 ** 31)))
  const read = async (sql: string) => (await connection.runAndReadAll(sql)).getRowsJS() as unknown[][]
  const companyOf = (id: unknown) => org.companyById(id as string | null) ?? org.companies[0]
  const customer = (id: unknown, companyId: unknown, first: unknown, last: unknown, created: unknown) => ({
    // stands in for the generation index (it seeds local_customer_uuid)
    index: deriveSeed(0, String(id)),
    id: String(id ?? ''),
    company: companyOf(companyId),
    firstName: first as string | null,
    lastName: last as string | null,
    createdMs: Number(created),
  })

  return {
    async keys(table, n, exclude = []) {
      const spec = db.spec(table)
      const key = spec.key!
      const excluded = exclude.length > 0 ? `AND ${key} NOT IN (${exclude.map(sqlString).join(', ')})` : ''
      const rows = await read(
        `SELECT k FROM (
           SELECT DISTINCT ${key} AS k FROM ${db.table(table)} WHERE ${validRowSql(spec)} ${excluded}
         )
         ORDER BY hash(k || ${salt()}), k LIMIT ${n}`,
      )
      return rows.map(([k]) => String(k))
    },

    async customers(n) {
      const c = (name: string) => generatedValue(db, 'customer', name)
      const rows = await read(
        `SELECT customer_id, ${c('company_id')}, ${c('customer_first_name')}, ${c('customer_last_name')},
           epoch_ms(${c('created_at')})
         FROM ${db.table('customer')} WHERE ${validRowSql(db.spec('customer'))}
         ORDER BY hash(customer_id || ${salt()}), customer_id LIMIT ${n}`,
      )
      return rows.map((row) => customer(...(row as [unknown, unknown, unknown, unknown, unknown])))
    },

    async estimates(n, withoutLeadResult) {
      const leads = db.table('lead_results')
      const hasLead = `EXISTS (SELECT 1 FROM ${leads} l WHERE l.estimate_id = e.estimate_id)`
      const retired = withoutLeadResult && deletedLeadResults?.size ? `AND e.estimate_id NOT IN (${[...deletedLeadResults].map(sqlString).join(', ')})` : ''
      const missing = withoutLeadResult ? `AND NOT ${hasLead} ${retired}` : ''
      const e = (name: string) => generatedValue(db, 'estimate', name)
      const rows = await read(
        `SELECT estimate_id, ${e('customer_id')}, ${e('company_id')}, ${e('customer_first_name')},
           ${e('customer_last_name')}, ${e('sales_rep_id')}, ${e('is_sale')}, ${e('job_type')},
           CAST(${e('sale_amount')} * 100 AS BIGINT), epoch_ms(${e('created_at')})
         FROM ${db.table('estimate')} e WHERE ${validRowSql(db.spec('estimate'))} ${missing}
         ORDER BY hash(estimate_id || ${salt()}), estimate_id LIMIT ${n}`,
      )
      return rows.map((row) => {
        const [id, customerId, companyId, first, last, repId, isSale, jobType, saleCents, created] = row
        const company = companyOf(companyId)
        return {
          id: String(id),
          customer: customer(customerId, companyId, first, last, created),
          rep: company.reps.find((rep) => rep.id === repId) ?? company.reps[0],
          isSale: isSale === true,
          jobType: jobType as string | null,
          saleCents: saleCents === null ? null : Number(saleCents),
          hasCreditApp: false,
          createdMs: Number(created),
        }
      })
    },
  }
}
