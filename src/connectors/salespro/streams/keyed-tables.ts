import { z } from 'zod'
import type { Parser } from '../processors.ts'
import { creditApplicationColumns, customerColumns, estimateColumns, paymentColumns } from '../schemas.ts'
import { convertKeyed, type TableStreamSpec } from './table-stream.ts'

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
    rebuilds: true,
    parsers,
    convert: (row, _query, zone) => convertKeyed(row, key, parsers, zone, 'updated_at'),
  }
}

export const customer = keyedTable('customer', 'customer', 'customer_id', customerColumns)

export const estimate = keyedTable('estimate', 'estimate', 'estimate_id', estimateColumns)

export const creditApplication = keyedTable('credit_application', 'credit_applications', 'leap_credit_app_id', creditApplicationColumns)

export const payment = keyedTable('payment', 'payments', 'payment_id', paymentColumns)
