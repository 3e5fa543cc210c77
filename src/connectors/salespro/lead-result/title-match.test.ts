import { describe, expect, it } from 'vitest'
import { LEAD_RESULT_COLUMNS } from './columns.ts'
import { matchTitle, titleKey } from './title-match.ts'

// every title variant the source is known to use, as it appears after JSON.parse
const KNOWN_VARIANTS: Record<string, string[]> = {
  appointment_result: ['Appointment Result', 'Appointment Result ', 'Result', 'Appointment Result -'],
  result_reason_demo_not_sold: [
    'Result Reason - Demo Not Sold (objection)',
    'Result Reason - Demo Not Sold',
    'Result Reason - Demo Not Sold (objection) ',
  ],
  result_reason_no_demo: [
    'Result Reason - No Demo (REQUIRES SALES MANGER APPROVAL)',
    'Result Reason - No Demo',
  ],
  both_homeowners_present: ['Both Homeowners Present?', 'Both Homeowners Present'],
  sales_manager_present: ['Sales Manager Present?', 'Was a Sales Manager Present?'],
  job_size: ['Job Size', 'Job Size '],
  total_job_amount: ['Total Job Amount', 'Total Job Amount ($)'],
  one_year_price: ['1 Year Price', 'One Year Price'],
  last_price_offered: ['Last Price Offered', 'Last Price Offered '],
  last_payment_offered: ['Last Payment Offered', 'Last Monthly Payment Offered'],
  no_brainer_commitment: [
    'Customer No Brainer Payment Commitment ($0.00 if you did not get commitment)',
    'No Brainer Commitment',
  ],
  deposit_amount: ['Deposit Amount'],
  deposit_type: ['Deposit Type', 'Deposit Form Of Payment'],
  balance_amount: ['Balance Amount'],
  balance_type: ['Balance Form Of Payment', 'Balance Type'],
  customers_final_price_commitment: ["Customer's Final Price Commitment", 'Customers Final Price Commitment'],
  preferred_payment: ['Preferred Payment', 'Preferred Payment Method'],
  financing: ['Financing', 'Financing Company'],
  financing_approved: ['Financing Approved', 'Financing Approved?'],
  loan_docs_signed: ['Loan Docs Signed', 'Loan Docs Signed?'],
  job_type: ['Job Type'],
  services: ['Services', 'Services Sold'],
  requested_start_month: ['Requested Start Month'],
  deadline: ['Deadline', 'Deadline?'],
  timing: ['Timing'],
  scheduling_notes: ['Scheduling Notes'],
  upload_estimate_sheet_company_cam: [
    'Upload Estimate Sheet to CompanyCam',
    'Did you upload estimate sheet & photos to Company Cam?',
  ],
  st8_completed: ['Did you complete your ST-8 Form Before leaving house?', 'ST-8 Completed'],
  did_use_company_cam: ['Did you use Company Cam?', 'Did You Use CompanyCam'],
  client_most_likely_to_add_on: ['Client most likely to add on', 'What is the client most likely to add on?'],
  warm_up_topic: ['Warm Up Topic', 'Warm-Up Topic'],
  urgency_time_frame: ['Urgency / Time Frame', 'Urgency & Time Frame'],
  additional_services_demoed_priced: [
    'Additional Services Demoed & Priced',
    'Additional Services Demoed/Priced',
  ],
  price_conditioning_response: ['Price Conditioning Response'],
  describe_rapport_hot_button: ['Describe Rapport / Hot Button', 'Describe Rapport & Hot Button'],
  company_story_pain_point: ['Company Story Pain Point', 'Company Story / Pain Point'],
  call_to_action: ['Call To Action', 'Call to Action -'],
  notes: ['Notes', 'Notes '],
  closing_notes: ['Closing Notes'],
  notes_for_install_team: ['Project Notes', 'Notes for Install Team'],
  details_discussed_for_install: ['Details Discussed for Install', 'Details Discussed For Install Team'],
  measurement_tool: ['Measurement Tool', 'Measurement Tool Used'],
  dumpster_preference: ['Dumpster Preference'],
  color_selection: [
    'Color Selection (Default Color in Parentheses) - Shingles, Drip Edge, Gutters, Siding, Trim',
    'Color Selection',
  ],
  has_consider_solar: [
    'Has / would this customer ever consider Solar',
    'Has/Would this customer ever consider Solar?',
  ],
}

const cases = Object.entries(KNOWN_VARIANTS).flatMap(([column, titles]) =>
  titles.map((title) => [title, column] as const),
)

describe('matchTitle', () => {
  it.each(cases)('maps %j to %s', (title, column) => {
    expect(matchTitle(title)).toEqual({ kind: 'column', column })
  })

  it('covers every answer column with at least one known variant', () => {
    const answered = LEAD_RESULT_COLUMNS.map((c) => c.name).filter((name) => name !== 'status_bucket')
    expect(Object.keys(KNOWN_VARIANTS).sort()).toEqual(answered.sort())
  })

  it.each([
    ['  appointment   RESULT  ', 'appointment_result'],
    ['Appointment Result:', 'appointment_result'],
    ['Appointment Result --', 'appointment_result'],
    ['\tJob\nSize\u00a0', 'job_size'],
    ['Urgency and Time Frame', 'urgency_time_frame'],
    ['Additional Services Demoed and Priced', 'additional_services_demoed_priced'],
    ['Customer’s Final Price Commitment', 'customers_final_price_commitment'],
    ['WarmUp Topic', 'warm_up_topic'],
    ['Result Reason - No Demo (requires sales manager approval)', 'result_reason_no_demo'],
    ['Total Job Amount (USD)', 'total_job_amount'],
    ['job_size', 'job_size'],
    ['Did you upload estimate sheet \\u0026 photos to Company Cam?', 'upload_estimate_sheet_company_cam'],
  ])('tolerates drift: %j → %s', (title, column) => {
    expect(matchTitle(title)).toEqual({ kind: 'column', column })
  })

  it('recognises the legacy line-item titles 1..6', () => {
    expect(matchTitle('Job Type 1')).toEqual({ kind: 'line-item', number: 1, field: 'type' })
    expect(matchTitle('Job Type 6 Amount ')).toEqual({ kind: 'line-item', number: 6, field: 'amount' })
    expect(matchTitle('Job Type #3 - Amount ($)')).toEqual({ kind: 'line-item', number: 3, field: 'amount' })
    expect(matchTitle('Job Type 7')).toEqual({ kind: 'unknown' })
  })

  it('reports titles it does not know', () => {
    expect(matchTitle('Favourite Colour')).toEqual({ kind: 'unknown' })
    expect(matchTitle('Appointment')).toEqual({ kind: 'unknown' })
    expect(matchTitle('???')).toEqual({ kind: 'unknown' })
  })
})

describe('titleKey', () => {
  it('ignores case, spacing, punctuation and apostrophes, and reads & and / as "and"', () => {
    expect(titleKey("Customer's Final  Price Commitment ?")).toBe('customersfinalpricecommitment')
    expect(titleKey('Urgency / Time Frame')).toBe(titleKey('Urgency & Time Frame'))
    expect(titleKey('Urgency / Time Frame')).toBe(titleKey('urgency and time-frame'))
  })
})
