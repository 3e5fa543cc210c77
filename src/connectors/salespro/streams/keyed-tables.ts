import { z } from 'zod'
import { col } from '../../../columns.ts'
import { parse, type Parser } from '../processors.ts'
import { convertKeyed, type TableStreamSpec } from '../table-stream.ts'

/**
 * The SalesPro tables that are plain rows with a natural key (original-system.md §2.2–2.4). Each
 * column is typed; the original kept everything as strings and upserted on the wrong key.
 */
function keyedTable(name: string, table: string, key: string, shape: Record<string, [z.ZodType, Parser]>): TableStreamSpec {
  const schema = z.object(Object.fromEntries(Object.entries(shape).map(([column, [type]]) => [column, type])))
  const parsers = Object.fromEntries(Object.entries(shape).map(([column, [, parser]]) => [column, parser]))
  return {
    name,
    table,
    sourceKey: key,
    cursorColumn: 'updated_at',
    schema,
    primaryKey: [key],
    evolves: true,
    convert: (row, _query, zone) => convertKeyed(row, key, parsers, zone, 'updated_at'),
  }
}

const text = (): [z.ZodType, Parser] => [col.text(), parse.text]
const key = (): [z.ZodType, Parser] => [col.key(), parse.text]
const money = (): [z.ZodType, Parser] => [col.decimal(12, 2), parse.decimal]
const flag = (): [z.ZodType, Parser] => [col.boolean(), parse.boolean]
const count = (): [z.ZodType, Parser] => [col.bigint(), parse.bigint]
const time = (): [z.ZodType, Parser] => [col.timestamp(), parse.timestamp]
const modified = (): [z.ZodType, Parser] => [col.timestampRequired(), parse.timestamp]

export const customer = keyedTable('customer', 'customer', 'customer_id', {
  customer_id: key(),
  estimate_id: text(),
  company_id: text(),
  company_name: text(),
  customer_first_name: text(),
  customer_last_name: text(),
  crm_source: text(),
  crm_source_id: text(),
  created_at: time(),
  updated_at: modified(),
})

export const estimate = keyedTable('estimate', 'estimate', 'estimate_id', {
  estimate_id: key(),
  company_id: text(),
  company_name: text(),
  office_id: text(),
  office_name: text(),
  sales_rep_id: text(),
  sales_rep_first_name: text(),
  sales_rep_last_name: text(),
  customer_id: text(),
  customer_first_name: text(),
  customer_last_name: text(),
  street_address: text(),
  city: text(),
  state: text(),
  zip_code: text(),
  sale_amount: money(),
  is_sale: flag(),
  job_type: text(),
  finance_amount: money(),
  bank_name: text(),
  loan_name: text(),
  down_payment: money(),
  has_credit_app: flag(),
  document_count: count(),
  created_at: time(),
  updated_at: modified(),
})

export const creditApplication = keyedTable('credit_application', 'credit_applications', 'leap_credit_app_id', {
  leap_credit_app_id: key(),
  company_id: text(),
  company_name: text(),
  sales_rep_id: text(),
  customer_id: text(),
  credit_app_vendor: text(),
  credit_app_vendor_id: text(),
  credit_app_amount: money(),
  credit_app_status: text(),
  credit_app_note: text(),
  created_at: time(),
  updated_at: modified(),
})

export const payment = keyedTable('payment', 'payments', 'payment_id', {
  payment_id: key(),
  company_id: text(),
  company_name: text(),
  customer_id: text(),
  payment_amount: money(),
  payment_type: text(),
  payment_description: text(),
  payment_success: flag(),
  created_at: time(),
  updated_at: modified(),
})
