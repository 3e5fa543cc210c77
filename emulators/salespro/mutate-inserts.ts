import type { DuckDBConnection } from '@duckdb/node-api'
import type { CustomerContext, EstimateContext, Row } from './generators.ts'
import { createPicker } from './mutate-picks.ts'
import type { MutateContext } from './mutate.ts'
import { TABLES, type AthenaTable } from './tables.ts'

/**
 * `n` new valid rows for a table, created (and updated) at `atMs`, with fresh keys that continue
 * the generated id spaces. Child rows hang on random existing parents; when there are none
 * (the parent table was not generated), on a parent that only exists in memory.
 */
export async function buildNewRows(
  connection: DuckDBConnection,
  context: MutateContext,
  table: AthenaTable,
  n: number,
  atMs: number,
): Promise<Row[]> {
  const { generators, counters } = context
  const picker = createPicker(connection, context)
  const newCustomer = () => generators.customer(counters.customer++, counters.estimate)
  const customers = async () => {
    const picked = await picker.customers(n)
    // fewer customers than rows: they take turns
    return (i: number): CustomerContext => picked[i % Math.max(1, picked.length)] ?? newCustomer().context
  }
  const estimates = async (withoutLeadResult: boolean) => {
    const picked = await picker.estimates(n, withoutLeadResult)
    const newEstimate = () => generators.estimate(newCustomer().context, counters.estimate++).context
    return (i: number): EstimateContext => picked[i] ?? newEstimate()
  }
  let make: (i: number) => Row
  switch (table) {
    case 'customer':
      make = () => {
        const row = newCustomer().row
        // no estimate exists for a brand-new customer yet
        row[TABLES.customer.columns.findIndex((c) => c.name === 'estimate_id')] = null
        return row
      }
      break
    case 'estimate': {
      const customerFor = await customers()
      make = (i) => generators.estimate(customerFor(i), counters.estimate++).row
      break
    }
    case 'lead_results': {
      const estimateFor = await estimates(true)
      make = (i) => generators.leadResult(estimateFor(i), true)!
      break
    }
    case 'credit_applications': {
      const estimateFor = await estimates(false)
      make = (i) => generators.creditApplication(estimateFor(i), counters.credit++)
      break
    }
    case 'payments': {
      const customerFor = await customers()
      make = (i) => generators.payment(customerFor(i), counters.payment++)
      break
    }
    case 'user_activity': {
      const customerFor = await customers()
      make = (i) => generators.activity(customerFor(i), counters.activityRow++)
      break
    }
  }
  const columns = TABLES[table].columns
  const created = columns.findIndex((c) => c.name === 'created_at')
  const updated = columns.findIndex((c) => c.name === 'updated_at')
  return Array.from({ length: n }, (_, i) => {
    const row = make(i)
    row[created] = atMs
    if (updated >= 0) row[updated] = atMs
    return row
  })
}
