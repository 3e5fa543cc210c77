/**
 * The free-text form labels ("titles") that SalesPro lead results use, grouped by the normalized
 * field crmsync maps them to. Every variant here occurs in generated data. Titles are listed as
 * they read once the JSON is parsed: in the stored JSON text every `&` is written as the escape
 * `\u0026`, so a consumer that matches raw text instead of parsing it will miss them.
 *
 * Exported so a cross-check test in crmsync can assert that its title mapping covers every variant.
 */
export const LEAD_RESULT_TITLES = {
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
} as const satisfies Record<string, readonly string[]>

export type LeadResultField = keyof typeof LEAD_RESULT_TITLES

/** legacy line items: "Job Type N" with "Job Type N Amount", N consecutive from 1 */
export const MAX_LEGACY_LINE_ITEMS = 6
export const legacyJobTypeTitle = (n: number) => `Job Type ${n}`
export const legacyJobTypeAmountTitle = (n: number) => `Job Type ${n} Amount`
export const LEGACY_JOB_TYPE_PATTERN = /^Job Type (\d+)$/

export interface LeadResultItem {
  title: string
  value: string
}

/**
 * How many line items a lead result yields, the rule the emulator counts with: a legacy row
 * (any "Job Type N" title) gives one item per "Job Type N" with a non-empty value; otherwise a
 * non-empty "Job Type" gives exactly one item; otherwise none.
 */
export function countLineItems(items: readonly LeadResultItem[]): number {
  const legacy = items.filter((item) => LEGACY_JOB_TYPE_PATTERN.test(item.title))
  if (legacy.length > 0) return legacy.filter((item) => item.value !== '').length
  return items.some((item) => item.title === 'Job Type' && item.value !== '') ? 1 : 0
}
