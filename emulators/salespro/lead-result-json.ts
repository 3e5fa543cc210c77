import type { Random } from '../shared/random.ts'
import {
  LEAD_RESULT_TITLES,
  legacyJobTypeAmountTitle,
  legacyJobTypeTitle,
  MAX_LEGACY_LINE_ITEMS,
  type LeadResultField,
  type LeadResultItem,
} from './lead-result-titles.ts'
import { formatMoney, nullishText } from './values.ts'
import { BANKS, LINE_ITEM_JOB_TYPES, NOTES } from './vocabulary.ts'

export interface LeadResultContext {
  isSale: boolean
  /** the estimate's job type, used as the current form's "Job Type" */
  jobType: string | null
  saleCents: number | null
  createdMs: number
}

/** the app switched from numbered job types to one "Job Type" around mid-2024 */
const FORM_SWITCH_MS = Date.UTC(2024, 6, 1)

const SOLD = ['[HRE] Demo - Sold', '[CC] Demo - Sold', 'Demo - Sold']
const NOT_SOLD = ['[HRE] Demo - Not Sold', '[CC] Demo - Not Sold', 'Demo - Not Sold']
const NO_DEMO = ['[MGMT] No Demo', '[HRE] No Demo', 'No Demo']
const OTHER = ['[HRE] Reset', 'No Show', '[CC] Rescheduled']
const YES_NO = ['Yes', 'No', 'Y', 'N', 'true', 'false']
const PAY_TYPES = ['Check', 'Credit Card', 'Cash', 'Financing', 'ACH']
const DEMO_NOT_SOLD_REASONS = ['Price', 'Needs to think about it', 'Other quotes', 'Spouse not present', '']
const NO_DEMO_REASONS = ['Customer cancelled at door', 'Not the decision maker', 'One-legger', '']

type ValueMaker = (random: Random, context: LeadResultContext) => string
const pick = (items: readonly string[]): ValueMaker => (random) => random.pick(items)
const money: ValueMaker = (random, context) =>
  formatMoney(random, context.saleCents ?? random.int(0, 3_000_000))
const note: ValueMaker = (random) => random.pick(NOTES)

/** the optional fields, in the order the form shows them, and how their answers look */
const OPTIONAL_FIELDS: readonly (readonly [LeadResultField, ValueMaker])[] = [
  ['both_homeowners_present', pick(YES_NO)],
  ['sales_manager_present', pick(YES_NO)],
  ['total_job_amount', money],
  ['one_year_price', money],
  ['last_price_offered', money],
  ['last_payment_offered', (random) => formatMoney(random, random.int(9_900, 45_000))],
  ['no_brainer_commitment', (r) => formatMoney(r, r.chance(0.4) ? 0 : r.int(9_900, 30_000))],
  ['deposit_amount', (random) => formatMoney(random, random.int(0, 500_000))],
  ['deposit_type', pick(PAY_TYPES)],
  ['balance_amount', money],
  ['balance_type', pick(PAY_TYPES)],
  ['preferred_payment', pick(PAY_TYPES)],
  ['financing', pick(BANKS)],
  ['financing_approved', pick(YES_NO)],
  ['loan_docs_signed', pick(YES_NO)],
  ['services', pick(['Roofing, Gutters', 'Siding', 'Windows & Doors', 'Full exterior'])],
  ['requested_start_month', pick(['January', 'March', 'ASAP', 'Spring 2025', 'After the holidays'])],
  ['deadline', pick(['No', 'Before winter', 'Yes - wedding in June'])],
  ['timing', pick(['ASAP', '1-3 months', '3-6 months', 'Just looking'])],
  ['scheduling_notes', note],
  ['upload_estimate_sheet_company_cam', pick(YES_NO)],
  ['st8_completed', pick(YES_NO)],
  ['did_use_company_cam', pick(YES_NO)],
  ['client_most_likely_to_add_on', pick(['Gutters', 'Windows', 'Siding', 'Nothing'])],
  ['warm_up_topic', pick(['Kids & sports', 'Their dog', 'Fishing', 'Eagles game'])],
  ['urgency_time_frame', pick(['Leak in the kitchen', 'Selling in spring', 'Insurance deadline', 'None'])],
  ['additional_services_demoed_priced', pick(['Gutters & guards', 'None', 'Skylights'])],
  ['price_conditioning_response', pick(['Expected ~$15k', 'Shocked', 'Fine with it'])],
  ['describe_rapport_hot_button', note],
  ['company_story_pain_point', note],
  ['call_to_action', pick(['Sign today for promo', 'Follow-up Friday', 'None'])],
  ['notes', note],
  ['closing_notes', note],
  ['notes_for_install_team', note],
  ['details_discussed_for_install', note],
  ['measurement_tool', pick(['EagleView', 'HOVER', 'Tape measure', 'Drone'])],
  ['dumpster_preference', pick(['Driveway', 'Street', 'No preference'])],
  [
    'color_selection',
    pick(['Shingles: Charcoal (Weathered Wood), Drip Edge: White', 'Default colors', 'Siding: "Harbor"']),
  ],
  ['has_consider_solar', pick(['Yes', 'No', 'Maybe', 'Already has solar'])],
]

/**
 * One lead result's form answers: an appointment result, a random subset of the optional
 * fields (sometimes answered with ""), and the job types in the legacy numbered form, the
 * current single form, or not at all.
 */
export function buildLeadResultItems(random: Random, context: LeadResultContext): LeadResultItem[] {
  const items: LeadResultItem[] = []
  const add = (field: LeadResultField, value: string) => {
    items.push({ title: random.pick(LEAD_RESULT_TITLES[field]), value })
  }
  const notSold = random.chance(0.6) ? NOT_SOLD : random.chance(0.5) ? NO_DEMO : OTHER
  const outcome = random.pick(context.isSale ? SOLD : notSold)
  if (random.chance(0.97)) add('appointment_result', outcome)
  if (NOT_SOLD.includes(outcome)) add('result_reason_demo_not_sold', random.pick(DEMO_NOT_SOLD_REASONS))
  if (NO_DEMO.includes(outcome)) add('result_reason_no_demo', random.pick(NO_DEMO_REASONS))
  const demoed = SOLD.includes(outcome) || NOT_SOLD.includes(outcome)
  for (const [field, make] of OPTIONAL_FIELDS) {
    if (!random.chance(demoed ? 0.55 : 0.12)) continue
    add(field, random.chance(0.06) ? '' : make(random, context))
  }
  if (demoed && random.chance(0.92)) addJobTypes(random, context, items, add)
  return items
}

function addJobTypes(
  random: Random,
  context: LeadResultContext,
  items: LeadResultItem[],
  add: (field: LeadResultField, value: string) => void,
) {
  const legacy = random.chance(context.createdMs < FORM_SWITCH_MS ? 0.85 : 0.1)
  if (legacy) {
    const count = random.int(1, MAX_LEGACY_LINE_ITEMS)
    for (let n = 1; n <= count; n++) {
      items.push({ title: legacyJobTypeTitle(n), value: random.pick(LINE_ITEM_JOB_TYPES) })
      const amount = random.chance(0.08) ? '' : formatMoney(random, random.int(50_000, 2_500_000))
      items.push({ title: legacyJobTypeAmountTitle(n), value: amount })
    }
    return
  }
  // an empty "Job Type" yields no line item
  const jobType = nullishText(context.jobType) ?? random.pick(LINE_ITEM_JOB_TYPES)
  add('job_type', random.chance(0.05) ? '' : jobType)
  add('job_size', money(random, context))
  if (random.chance(0.4)) add('customers_final_price_commitment', money(random, context))
}

/**
 * JSON text as SalesPro stores it: most rows come from a writer that escapes `&` as `\u0026`
 * (like Go's encoding/json), a few from one that does not. Both parse to the same value.
 */
export function stringifyLeadResults(random: Random, items: readonly LeadResultItem[]): string {
  const text = JSON.stringify(items.map(({ title, value }) => ({ title, value })))
  return random.chance(0.85) ? text.replaceAll('&', '\\u0026') : text
}
