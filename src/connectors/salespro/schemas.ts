import { z } from 'zod'
import { col } from '../../columns.ts'
import { LEAD_RESULT_COLUMNS } from './lead-result/index.ts'
import { parse, type Parser } from './processors.ts'

// The record schemas of SalesPro's streams: each warehouse column and its type (the validator and
// the DDL); for the keyed tables, with the processor that reads its Athena text. The answer columns
// of lead results are listed in lead-result/columns.ts. Athena's own result shape (its column
// metadata) is read by client.ts.

const text = (): [z.ZodType, Parser] => [col.text(), parse.text]
const key = (): [z.ZodType, Parser] => [col.key(), parse.text]
const money = (): [z.ZodType, Parser] => [col.decimal(12, 2), parse.decimal]
const flag = (): [z.ZodType, Parser] => [col.boolean(), parse.boolean]
const count = (): [z.ZodType, Parser] => [col.bigint(), parse.bigint]
const time = (): [z.ZodType, Parser] => [col.timestamp(), parse.timestamp]
const modified = (): [z.ZodType, Parser] => [col.timestampRequired(), parse.timestamp]

export const customerColumns = {
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
}

export const estimateColumns = {
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
}

export const creditApplicationColumns = {
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
}

export const paymentColumns = {
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
}

export const userActivitySchema = z.object({
  activity_key: col.key(),
  created_at: col.timestampRequired(),
  user_id: col.text(),
  company_id: col.text(),
  company_name: col.text(),
  local_customer_uuid: col.text(),
  customer_id: col.text(),
  activity_note: col.text(),
  key_metric: col.text(),
  activity_identifier: col.text(),
  price_type: col.text(),
  price: col.decimal(12, 2),
  original_row_num: col.bigint(),
})

const answerColumn = { text: col.text, bool: col.boolean, money: col.numeric } as const

export const leadResultSchema = z.object({
  estimate_id: col.key(),
  company_id: col.text(),
  ...Object.fromEntries(LEAD_RESULT_COLUMNS.map((c) => [c.name, answerColumn[c.kind]()])),
  lead_results_raw: col.json(),
  unmapped_answers: col.json(),
  created_at: col.timestamp(),
  updated_at: col.timestampRequired(),
})

export const lineItemSchema = z.object({
  estimate_id: col.key(),
  job_type_number: col.integerKey(),
  job_type: col.text(),
  job_type_amount: col.numeric(),
  updated_at: col.timestampRequired(),
})
