import { normalizeLeadResults } from '../../src/connectors/salespro/lead-result/index.ts'
import type { AthenaRow, AthenaTable } from './athena-select.ts'
import { KEY_SEPARATOR, SALESPRO_KEYS, SALESPRO_TABLES } from './catalog.ts'
import { contentHash } from './canonical.ts'
import { athenaBase, typesAfter } from './column-types.ts'
import { emptyExpected, type ColumnSpec, type Expected } from './expected.ts'
import { readInstant } from './read-value.ts'
import { laggingFields, withoutFields, type FieldHistory, type ShapeChanges } from './schema-log.ts'

/** the streams whose tables follow Athena's columns (docs/design.md §3.12); the others keep their own */
const EVOLVING = new Set(['customer', 'estimate', 'credit_application', 'payment'])

/**
 * SalesPro's expectations. A keyed row is valid with a non-blank key and an `updated_at` (what
 * crmsync's schema requires; `created_at` may be NULL); `lead_results` must also hold a JSON array
 * (or null, or an array wrapped in a JSON string). crmsync stores the Athena row itself as `_raw`.
 * A malformed row with a timestamp is re-read by every run within the lookback, so it must be
 * in crmsync.rejects; one without cannot be read incrementally and is only checked as absent.
 */
export function salesProExpected(stream: string, table: AthenaTable, shape: ShapeChanges): Expected {
  const expected = emptyExpected(stream)
  const { rows } = table
  if (stream === 'user_activity') return activityExpected(expected, rows)
  const evolving = EVOLVING.has(stream)
  if (evolving) expected.columns = columnSpecs(table.columns, shape.fields)
  const keyColumn = SALESPRO_KEYS[SALESPRO_TABLES[stream]]
  for (const row of rows) {
    const key = row[keyColumn]
    const answers = stream.startsWith('lead_result') ? leadResultAnswers(row.lead_results) : []
    const valid = key !== null && key.trim() !== '' && row.updated_at !== null && answers !== undefined
    if (!valid) {
      // rejected by a read that may have seen the table before its shape changed (a row older than the change)
      if (row.updated_at !== null) expected.mustReject.set(contentHash(row), lagOf(row, shape))
      if (key === null || key.trim() === '') continue
      if (stream === 'lead_result_line_item') expected.ignoredScopes.add(key)
      else expected.ignored.add(key)
      continue
    }
    if (stream !== 'lead_result_line_item') {
      const fields = evolving ? row : undefined
      expected.rows.set(key, { hash: contentHash(row), deleted: false, fields, ...lagOf(row, shape) })
      continue
    }
    // line items come from crmsync's own processor: this checks that they converge, not how they parse
    for (const item of normalizeLeadResults(answers).lineItems) {
      const derived = { estimate_id: key, ...item }
      const itemKey = `${key}${KEY_SEPARATOR}${item.job_type_number}`
      expected.rows.set(itemKey, { hash: contentHash(derived), deleted: false })
    }
  }
  return expected
}

/** The fields a row may hold as a read before the table's last changes saw it, and its hash without them. */
function lagOf(row: AthenaRow, shape: ShapeChanges) {
  const modified = row.updated_at === null ? undefined : readInstant(row.updated_at)
  const lagging = laggingFields(shape.fields, modified, shape.full)
  return { lagging, lagHash: lagging.length ? contentHash(withoutFields(row, lagging)) : undefined }
}

/**
 * Every column Athena lists now, and every column the source dropped: a declared one keeps its
 * column, an added one has one if a read saw it. The harness's added columns may take the types
 * their history allows; declared ones keep the table's.
 */
function columnSpecs(
  header: readonly string[],
  fields: ReadonlyMap<string, FieldHistory> | undefined,
): ColumnSpec[] {
  const types = (f: FieldHistory | undefined) =>
    f?.types.length ? typesAfter(f.types.map(athenaBase), f.dropped) : undefined
  const specs: ColumnSpec[] = header.map((name) => ({
    field: name,
    column: name,
    listed: true,
    types: types(fields?.get(name)),
  }))
  for (const [name, f] of fields ?? []) {
    if (!f.dropped || header.includes(name)) continue
    specs.push({ field: name, column: name, listed: f.types.length === 0, types: types(f), dropped: true })
  }
  return specs
}

function activityExpected(expected: Expected, rows: readonly AthenaRow[]): Expected {
  const multiset = new Map<string, number>()
  for (const row of rows) {
    if (row.created_at === null) continue
    const hash = contentHash(row)
    multiset.set(hash, (multiset.get(hash) ?? 0) + 1)
  }
  expected.multiset = multiset
  return expected
}

/** The answers of a `lead_results` text, or undefined when crmsync must reject it. */
function leadResultAnswers(text: string | null): unknown[] | undefined {
  if (text === null || text.trim() === '') return []
  let value: unknown
  try {
    value = JSON.parse(text)
    if (typeof value === 'string') value = JSON.parse(value)
  } catch {
    if (typeof value !== 'string') return undefined
  }
  if (value === null) return []
  return Array.isArray(value) ? value : undefined
}
