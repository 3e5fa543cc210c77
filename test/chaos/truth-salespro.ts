import { normalizeLeadResults } from '../../src/connectors/salespro/lead-result/index.ts'
import type { AthenaRow } from './athena-select.ts'
import { KEY_SEPARATOR, SALESPRO_KEYS, SALESPRO_TABLES } from './catalog.ts'
import { contentHash } from './canonical.ts'
import { emptyExpected, type Expected } from './expected.ts'

/**
 * SalesPro's expectations. A keyed row is valid with a non-blank key and an `updated_at` (what
 * crmsync's schema requires; `created_at` may be NULL); `lead_results` must also hold a JSON array
 * (or null, or an array wrapped in a JSON string). crmsync stores the Athena row itself as `_raw`.
 * A malformed row with a timestamp is re-read by every run within the lookback, so it must be
 * in crmsync.rejects; one without cannot be read incrementally and is only checked as absent.
 */
export function salesProExpected(stream: string, rows: readonly AthenaRow[]): Expected {
  const expected = emptyExpected(stream)
  if (stream === 'user_activity') return activityExpected(expected, rows)
  const keyColumn = SALESPRO_KEYS[SALESPRO_TABLES[stream]]
  for (const row of rows) {
    const key = row[keyColumn]
    const answers = stream.startsWith('lead_result') ? leadResultAnswers(row.lead_results) : []
    const valid = key !== null && key.trim() !== '' && row.updated_at !== null && answers !== undefined
    if (!valid) {
      if (row.updated_at !== null) expected.mustReject.add(contentHash(row))
      if (key === null || key.trim() === '') continue
      if (stream === 'lead_result_line_item') expected.ignoredScopes.add(key)
      else expected.ignored.add(key)
      continue
    }
    if (stream !== 'lead_result_line_item') {
      expected.rows.set(key, { hash: contentHash(row), deleted: false })
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
