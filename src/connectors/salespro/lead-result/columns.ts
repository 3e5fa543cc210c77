/**
 * The normalized columns of a SalesPro lead result, in warehouse order.
 *
 * One list drives everything: the processor fills each column, and the stream builds its DDL
 * and zod record schema from it, so a column can never be computed and then left unwritten
 * (the original system computed ~35 of these and dropped them on its bulk path).
 *
 * Kinds:
 * - `text`: a trimmed string, or null
 * - `bool`: true, false, or null when unanswered or unreadable
 * - `money`: a decimal string matching /^-?\d+(\.\d+)?$/ (e.g. "12450.00"), or null
 */
export const LEAD_RESULT_COLUMNS = [
  { name: 'appointment_result', kind: 'text' },
  { name: 'result_reason_demo_not_sold', kind: 'text' },
  { name: 'result_reason_no_demo', kind: 'text' },
  { name: 'both_homeowners_present', kind: 'bool' },
  { name: 'sales_manager_present', kind: 'bool' },
  { name: 'job_size', kind: 'money' },
  { name: 'total_job_amount', kind: 'money' },
  { name: 'one_year_price', kind: 'money' },
  { name: 'last_price_offered', kind: 'money' },
  { name: 'last_payment_offered', kind: 'money' },
  { name: 'no_brainer_commitment', kind: 'money' },
  { name: 'deposit_amount', kind: 'money' },
  { name: 'balance_amount', kind: 'money' },
  { name: 'customers_final_price_commitment', kind: 'money' },
  { name: 'deposit_type', kind: 'text' },
  { name: 'balance_type', kind: 'text' },
  { name: 'preferred_payment', kind: 'text' },
  { name: 'financing', kind: 'text' },
  { name: 'financing_approved', kind: 'bool' },
  { name: 'loan_docs_signed', kind: 'bool' },
  { name: 'job_type', kind: 'text' },
  { name: 'services', kind: 'text' },
  { name: 'requested_start_month', kind: 'text' },
  { name: 'deadline', kind: 'text' },
  { name: 'timing', kind: 'text' },
  { name: 'scheduling_notes', kind: 'text' },
  { name: 'upload_estimate_sheet_company_cam', kind: 'bool' },
  { name: 'st8_completed', kind: 'bool' },
  { name: 'did_use_company_cam', kind: 'bool' },
  { name: 'client_most_likely_to_add_on', kind: 'text' },
  { name: 'warm_up_topic', kind: 'text' },
  { name: 'urgency_time_frame', kind: 'text' },
  { name: 'additional_services_demoed_priced', kind: 'text' },
  { name: 'price_conditioning_response', kind: 'text' },
  { name: 'describe_rapport_hot_button', kind: 'text' },
  { name: 'company_story_pain_point', kind: 'text' },
  { name: 'call_to_action', kind: 'text' },
  { name: 'notes', kind: 'text' },
  { name: 'closing_notes', kind: 'text' },
  { name: 'notes_for_install_team', kind: 'text' },
  { name: 'details_discussed_for_install', kind: 'text' },
  { name: 'measurement_tool', kind: 'text' },
  { name: 'dumpster_preference', kind: 'text' },
  { name: 'color_selection', kind: 'text' },
  { name: 'has_consider_solar', kind: 'text' },
  // derived from appointment_result, never answered directly
  { name: 'status_bucket', kind: 'text' },
] as const satisfies readonly { name: string; kind: LeadResultColumnKind }[]

export type LeadResultColumnKind = 'text' | 'bool' | 'money'

type LeadResultColumn = (typeof LEAD_RESULT_COLUMNS)[number]

interface KindValue {
  text: string
  bool: boolean
  money: string
}

export type LeadResultColumnName = LeadResultColumn['name']

/** Columns filled from form answers (everything except the derived `status_bucket`). */
export type AnswerColumnName = Exclude<LeadResultColumnName, 'status_bucket'>

/** One lead result's normalized columns: every column is present, null when unanswered. */
export type LeadResultColumns = {
  [C in LeadResultColumn as C['name']]: KindValue[C['kind']] | null
}

const KIND_BY_NAME = new Map<string, LeadResultColumnKind>(LEAD_RESULT_COLUMNS.map((c) => [c.name, c.kind]))

export function columnKind(name: LeadResultColumnName): LeadResultColumnKind {
  // the map is built from the same list the type comes from, so the lookup cannot miss
  return KIND_BY_NAME.get(name) as LeadResultColumnKind
}

export function emptyColumns(): LeadResultColumns {
  return Object.fromEntries(LEAD_RESULT_COLUMNS.map((c) => [c.name, null])) as LeadResultColumns
}
