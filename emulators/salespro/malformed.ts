import type { Row } from './generators.ts'
import { TABLES, type AthenaTable } from './tables.ts'

/**
 * Ways a source row can be broken, per updatable table: keys that are NULL or '', NULL
 * timestamps, and lead results whose JSON does not parse. Such rows count in the raw Athena
 * tables but not in the stream counts.
 */
const DEFECTS: Readonly<Record<Exclude<AthenaTable, 'user_activity'>, readonly Defect[]>> = {
  customer: ['null-key', 'empty-key', 'null-updated'],
  estimate: ['null-updated', 'empty-key', 'null-key'],
  credit_applications: ['null-key', 'null-created', 'empty-key'],
  lead_results: ['empty-key', 'invalid-json', 'null-key', 'python-json'],
  payments: ['null-key', 'null-updated', 'empty-key'],
}

type Defect = 'null-key' | 'empty-key' | 'null-updated' | 'null-created' | 'invalid-json' | 'python-json'

export const hasMalformedRows = (table: AthenaTable): table is keyof typeof DEFECTS => table in DEFECTS

/** breaks a valid row in the `n`-th way for its table (the defects take turns) */
export function breakRow(table: keyof typeof DEFECTS, row: Row, n: number): Row {
  const spec = TABLES[table]
  const column = (name: string) => spec.columns.findIndex((c) => c.name === name)
  const broken = [...row]
  const defects = DEFECTS[table]
  const defect = defects[n % defects.length]
  if (defect === 'null-key') broken[column(spec.key!)] = null
  if (defect === 'empty-key') broken[column(spec.key!)] = ''
  if (defect === 'null-updated') broken[column('updated_at')] = null
  if (defect === 'null-created') broken[column('created_at')] = null
  if (defect === 'invalid-json') {
    const text = String(row[column('lead_results')])
    broken[column('lead_results')] = text.slice(0, Math.max(1, Math.floor(text.length / 2)))
  }
  // a Python repr that was stored instead of JSON
  if (defect === 'python-json') broken[column('lead_results')] = "[{'title': 'Result', 'value': 'No Show'}]"
  return broken
}
