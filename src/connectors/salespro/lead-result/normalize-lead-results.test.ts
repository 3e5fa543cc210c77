import { describe, expect, it } from 'vitest'
import { LEAD_RESULT_COLUMNS } from './columns.ts'
import { normalizeLeadResults } from './normalize-lead-results.ts'
import { parseLeadResultsJson } from './parse-lead-results-json.ts'

const answer = (title: string, value: unknown) => ({ title, value })

function fromJson(text: string) {
  const parsed = parseLeadResultsJson(text)
  if (!parsed.ok) throw new Error(parsed.reason)
  return normalizeLeadResults(parsed.answers)
}

describe('normalizeLeadResults', () => {
  it('fills every column, null when not answered', () => {
    const { columns, lineItems, unknownTitles, warnings } = normalizeLeadResults([])
    expect(Object.keys(columns)).toEqual(LEAD_RESULT_COLUMNS.map((c) => c.name))
    expect(Object.values(columns).every((v) => v === null)).toBe(true)
    expect({ lineItems, unknownTitles, warnings }).toEqual({ lineItems: [], unknownTitles: [], warnings: [] })
  })

  it('reads a current-form record end to end from JSON text', () => {
    const text = String.raw`[
      {"title":"Appointment Result ","value":"[HRE] - Sold"},
      {"title":"Both Homeowners Present?","value":"Yes"},
      {"title":"Financing Approved?","value":"false"},
      {"title":"Loan Docs Signed","value":""},
      {"title":"Job Size ","value":"$12,450.00"},
      {"title":"Customer's Final Price Commitment","value":"11900"},
      {"title":"Job Type","value":"-Roofing"},
      {"title":"Urgency \u0026 Time Frame","value":" ASAP "},
      {"title":"Did you upload estimate sheet \u0026 photos to Company Cam?","value":"yes"},
      {"title":"Notes ","value":"N/A"}
    ]`
    const { columns, lineItems, unknownTitles, warnings } = fromJson(text)
    expect(columns).toMatchObject({
      appointment_result: '[HRE] - Sold',
      status_bucket: '[HRE]',
      both_homeowners_present: true,
      financing_approved: false,
      loan_docs_signed: null,
      job_size: '12450.00',
      customers_final_price_commitment: '11900',
      job_type: 'Roofing',
      urgency_time_frame: 'ASAP',
      upload_estimate_sheet_company_cam: true,
      notes: null,
    })
    expect(lineItems).toEqual([{ job_type_number: 1, job_type: 'Roofing', job_type_amount: '12450.00' }])
    expect({ unknownTitles, warnings }).toEqual({ unknownTitles: [], warnings: [] })
  })

  it.each([
    ['[CC] Customer Cancelled', '[CC]'],
    ['[MGMT]', '[MGMT]'],
    ['Sold', null],
    ['[hre] lower case', null],
    [' [HRE] padded', '[HRE]'],
  ])('derives status_bucket from %j', (result, bucket) => {
    expect(normalizeLeadResults([answer('Result', result)]).columns.status_bucket).toBe(bucket)
  })

  it('coerces non-string values', () => {
    const { columns } = normalizeLeadResults([
      answer('Job Size', 12450.5),
      answer('Sales Manager Present?', true),
      answer('ST-8 Completed', 0),
      answer('Deadline', 30),
    ])
    expect(columns).toMatchObject({
      job_size: '12450.5',
      sales_manager_present: true,
      st8_completed: false,
      deadline: '30',
    })
  })

  it('reports unreadable values as warnings and keeps going', () => {
    const { columns, warnings } = normalizeLeadResults([
      answer('Job Size', 'abc'),
      answer('Financing Approved', 'pending'),
      answer('Deposit Amount', '$500'),
    ])
    expect(columns).toMatchObject({ job_size: null, financing_approved: null, deposit_amount: '500' })
    expect(warnings).toEqual([
      'job_size: "abc" is not an amount',
      'financing_approved: "pending" is not a yes/no answer',
    ])
  })

  it('keeps the first non-null answer when a column is answered twice, and warns', () => {
    const { columns, warnings } = normalizeLeadResults([
      answer('Notes', ''),
      answer('Appointment Result', '[HRE] Sold'),
      answer('Notes ', 'first'),
      answer('Result', '[CC] Cancelled'),
      answer('Notes', 'second'),
    ])
    expect(columns).toMatchObject({
      appointment_result: '[HRE] Sold',
      status_bucket: '[HRE]',
      notes: 'first',
    })
    expect(warnings).toEqual([
      'appointment_result: answered again by "Result" ("[CC] Cancelled"); ' +
        'kept the first answer from "Appointment Result"',
      'notes: answered again by "Notes" ("second"); kept the first answer from "Notes "',
    ])
  })

  it('reports unknown titles once each, as received', () => {
    const { unknownTitles, warnings } = normalizeLeadResults([
      answer('Favourite Colour ', 'blue'),
      answer('Job Type 7', 'Siding'),
      answer('Favourite Colour ', 'red'),
      answer('Result', 'Sold'),
    ])
    expect(unknownTitles).toEqual(['Favourite Colour ', 'Job Type 7'])
    expect(warnings).toEqual([])
  })

  it('skips answers that are not {title, value} objects, with a warning', () => {
    const { columns, warnings } = normalizeLeadResults([
      'Result',
      null,
      { value: 'Sold' },
      { title: 7, value: 'Sold' },
      { title: '  ', value: 'Sold' },
      { title: 'Timing' },
      answer('Result', 'Sold'),
    ])
    expect(columns.appointment_result).toBe('Sold')
    expect(columns.timing).toBeNull()
    expect(warnings).toHaveLength(5)
    expect(warnings[0]).toBe('answer 1 is not a {title, value} object; skipped: "Result"')
  })

  it('warns when given something other than an array', () => {
    expect(normalizeLeadResults({ title: 'Result' }).warnings).toEqual([
      'lead_results is not an array; no answers read',
    ])
    expect(normalizeLeadResults(null).warnings).toEqual([])
  })
})

describe('line items', () => {
  it('reads the legacy Job Type N / Job Type N Amount pairs', () => {
    const { lineItems, warnings } = normalizeLeadResults([
      answer('Job Type', 'Roofing'),
      answer('Job Size', '20000'),
      answer('Job Type 1', '-Roofing'),
      answer('Job Type 1 Amount', '$12,000.00'),
      answer('Job Type 2', ''),
      answer('Job Type 2 Amount', '$0.00'),
      answer('Job Type 3 ', 'Gutters'),
      answer('Job Type 4', 'Siding'),
      answer('Job Type 4 Amount', 'call office'),
      answer('Job Type 6 Amount', '900'),
      answer('Job Type 6', ' - Windows'),
    ])
    expect(lineItems).toEqual([
      { job_type_number: 1, job_type: 'Roofing', job_type_amount: '12000.00' },
      { job_type_number: 3, job_type: 'Gutters', job_type_amount: null },
      { job_type_number: 4, job_type: 'Siding', job_type_amount: null },
      { job_type_number: 6, job_type: 'Windows', job_type_amount: '900' },
    ])
    expect(warnings).toEqual(['job_type_4_amount: "call office" is not an amount'])
  })

  it('makes item 1 from the current form: job size first, then the final price commitment', () => {
    const withSize = normalizeLeadResults([
      answer('Job Type', '-Roofing'),
      answer('Job Size', '$15,000'),
      answer("Customer's Final Price Commitment", '14000'),
    ])
    expect(withSize.lineItems).toEqual([
      { job_type_number: 1, job_type: 'Roofing', job_type_amount: '15000' },
    ])

    const withCommitment = normalizeLeadResults([
      answer('Job Type', 'Roofing'),
      answer('Job Size', ''),
      answer('Customers Final Price Commitment', '14000'),
    ])
    expect(withCommitment.lineItems[0]?.job_type_amount).toBe('14000')

    const withoutAmount = normalizeLeadResults([answer('Job Type', 'Roofing')])
    expect(withoutAmount.lineItems).toEqual([
      { job_type_number: 1, job_type: 'Roofing', job_type_amount: null },
    ])
  })

  it('makes no items without a job type', () => {
    expect(normalizeLeadResults([answer('Job Type', 'N/A'), answer('Job Size', '100')]).lineItems).toEqual([])
    const amountOnly = normalizeLeadResults([answer('Job Type 1', ''), answer('Job Type 1 Amount', '100')])
    expect(amountOnly.lineItems).toEqual([])
  })
})
