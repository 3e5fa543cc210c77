import type { SourceRecord } from '../../types.ts'
import type { AthenaRow } from '../client.ts'
import { normalizeLeadResults, parseLeadResultsJson, type LeadResultNormalized } from '../lead-result/index.ts'
import { ValueError, type FieldChange } from '../../processors.ts'
import { parse } from '../processors.ts'
import { leadResultSchema, lineItemSchema } from '../schemas.ts'
import { convertColumns, type RowResult, type TableStreamSpec } from './table-stream.ts'

/**
 * `lead_results` holds one JSON array of form answers per estimate. It feeds two streams: the
 * normalized answers (every column, `status_bucket`, the raw JSON and the answers no column knows)
 * and their line items. Amounts are unbounded `numeric`: form input can exceed `numeric(12,2)`.
 */
interface Parent {
  estimateId: string
  stamps: Record<string, unknown>
  /** the parent row's own fields that did not fit (created_at) */
  changes: FieldChange[]
  normalized: LeadResultNormalized
  answers: unknown[]
}

function readParent(row: AthenaRow, zone: string): Parent | { reject: string; key?: string } {
  const estimateId = row.estimate_id
  if (estimateId === null || estimateId === undefined || estimateId.trim() === '')
    return { reject: `estimate_id is missing (${estimateId === null ? 'NULL' : 'empty'}), so the lead result has no estimate to belong to` }
  let stamps: Record<string, unknown>
  const changes: FieldChange[] = []
  try {
    stamps = convertColumns(row, STAMPS, zone, changes, ['updated_at'])
  } catch (error) {
    if (error instanceof ValueError) return { reject: error.message, key: estimateId }
    throw error
  }
  const json = parseLeadResultsJson(row.lead_results ?? null)
  if (!json.ok) return { reject: `lead_results: ${json.reason}`, key: estimateId }
  return { estimateId, stamps, changes, normalized: normalizeLeadResults(json.answers), answers: json.answers }
}

function unmappedAnswers(parent: Parent): Record<string, unknown> | null {
  if (parent.normalized.unknownTitles.length === 0) return null
  const unknown = new Set(parent.normalized.unknownTitles)
  const out: Record<string, unknown> = {}
  for (const answer of parent.answers as { title?: unknown; value?: unknown }[]) {
    if (typeof answer?.title === 'string' && unknown.has(answer.title)) out[answer.title] = answer.value ?? null
  }
  return out
}

const STAMPS = { company_id: parse.text, created_at: parse.timestamp, updated_at: parse.timestamp }

function toLeadResult(row: AthenaRow, _query: Map<string, number>, zone: string): RowResult {
  const parent = readParent(row, zone)
  if ('reject' in parent) return parent
  const values = {
    estimate_id: parent.estimateId,
    ...parent.stamps,
    ...parent.normalized.columns,
    lead_results_raw: parent.answers,
    unmapped_answers: unmappedAnswers(parent),
  }
  return { records: [{ values, raw: row, changes: parent.changes }] }
}

function toLineItems(row: AthenaRow, _query: Map<string, number>, zone: string): RowResult {
  const parent = readParent(row, zone)
  if ('reject' in parent) return parent
  const records: SourceRecord[] = parent.normalized.lineItems.map((item) => {
    const derived = { estimate_id: parent.estimateId, ...item }
    // the hash follows the item, not its parent: an edit elsewhere in the form leaves the item unchanged
    return { values: { ...derived, updated_at: parent.stamps.updated_at }, raw: derived }
  })
  return { records, scope: parent.estimateId }
}

export const leadResult: TableStreamSpec = {
  name: 'lead_result',
  table: 'lead_results',
  sourceKey: 'estimate_id',
  cursorColumn: 'updated_at',
  schema: leadResultSchema,
  primaryKey: ['estimate_id'],
  // a lead result's raw is its Athena row; a line item's is the item alone (its updated_at is the
  // parent's), so line items cannot be rebuilt from what they store
  rebuilds: true,
  convert: toLeadResult,
}

export const leadResultLineItem: TableStreamSpec = {
  name: 'lead_result_line_item',
  table: 'lead_results',
  sourceKey: 'estimate_id',
  cursorColumn: 'updated_at',
  schema: lineItemSchema,
  primaryKey: ['estimate_id', 'job_type_number'],
  write: 'replace',
  replaceScope: 'estimate_id',
  convert: toLineItems,
}
