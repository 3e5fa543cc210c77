import type { AnswerColumnName } from './columns.ts'

/**
 * Form titles per column, written as the form shows them.
 *
 * Titles are compared through `titleKey` (see title-match.ts), which already ignores case,
 * spacing, punctuation, apostrophes, `&`/`/`/"and" and parenthesised remarks, so one entry
 * covers "Job Size", "Job Size " and "job size:". The column name itself always matches too.
 * List a title here only when its words differ from the column name ("Result",
 * "Balance Form Of Payment", "Project Notes"). A `Record` keeps every column in the table.
 */
export const TITLE_ALIASES: Record<AnswerColumnName, readonly string[]> = {
  appointment_result: ['Appointment Result', 'Result'],
  result_reason_demo_not_sold: ['Result Reason - Demo Not Sold (objection)'],
  result_reason_no_demo: ['Result Reason - No Demo (REQUIRES SALES MANGER APPROVAL)'],
  both_homeowners_present: ['Both Homeowners Present?'],
  sales_manager_present: ['Sales Manager Present?', 'Was a Sales Manager Present?'],
  job_size: ['Job Size'],
  total_job_amount: ['Total Job Amount ($)'],
  one_year_price: ['1 Year Price', 'One Year Price'],
  last_price_offered: ['Last Price Offered'],
  last_payment_offered: ['Last Payment Offered', 'Last Monthly Payment Offered'],
  no_brainer_commitment: [
    'Customer No Brainer Payment Commitment ($0.00 if you did not get commitment)',
    'No Brainer Commitment',
  ],
  deposit_amount: ['Deposit Amount'],
  balance_amount: ['Balance Amount'],
  customers_final_price_commitment: ["Customer's Final Price Commitment"],
  deposit_type: ['Deposit Type', 'Deposit Form Of Payment'],
  balance_type: ['Balance Type', 'Balance Form Of Payment'],
  preferred_payment: ['Preferred Payment', 'Preferred Payment Method'],
  financing: ['Financing', 'Financing Company'],
  financing_approved: ['Financing Approved?'],
  loan_docs_signed: ['Loan Docs Signed?'],
  job_type: ['Job Type'],
  services: ['Services', 'Services Sold'],
  requested_start_month: ['Requested Start Month'],
  deadline: ['Deadline?'],
  timing: ['Timing'],
  scheduling_notes: ['Scheduling Notes'],
  upload_estimate_sheet_company_cam: [
    'Upload Estimate Sheet to CompanyCam',
    'Did you upload estimate sheet & photos to Company Cam?',
  ],
  st8_completed: ['ST-8 Completed', 'Did you complete your ST-8 Form Before leaving house?'],
  did_use_company_cam: ['Did you use Company Cam?'],
  client_most_likely_to_add_on: [
    'Client most likely to add on',
    'What is the client most likely to add on?',
  ],
  warm_up_topic: ['Warm-Up Topic'],
  urgency_time_frame: ['Urgency / Time Frame'],
  additional_services_demoed_priced: ['Additional Services Demoed & Priced'],
  price_conditioning_response: ['Price Conditioning Response'],
  describe_rapport_hot_button: ['Describe Rapport / Hot Button'],
  company_story_pain_point: ['Company Story / Pain Point'],
  call_to_action: ['Call To Action'],
  notes: ['Notes'],
  closing_notes: ['Closing Notes'],
  notes_for_install_team: ['Notes for Install Team', 'Project Notes'],
  details_discussed_for_install: ['Details Discussed for Install', 'Details Discussed For Install Team'],
  measurement_tool: ['Measurement Tool', 'Measurement Tool Used'],
  dumpster_preference: ['Dumpster Preference'],
  color_selection: [
    'Color Selection',
    'Color Selection (Default Color in Parentheses) - Shingles, Drip Edge, Gutters, Siding, Trim',
  ],
  has_consider_solar: ['Has / would this customer ever consider Solar?'],
}
