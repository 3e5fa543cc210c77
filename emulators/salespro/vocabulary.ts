/**
 * Word lists for realistic SalesPro rows. They deliberately include the strings that break naive
 * pipelines: unicode (José, Zoë, Nguyễn), apostrophes (O'Brien), commas, double quotes and
 * multi-line notes.
 */
// prettier-ignore
export const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'José', 'Zoë', 'Renée', 'François', 'Björn', 'Chloé', 'Siobhán', 'Mary-Kate', "D'Andre", 'Nguyễn Văn',
  'Ana María', 'Søren', 'Łukasz', 'Anh', 'Mohammed', 'Priya', 'Dmitri', 'Aoife', 'Jean-Luc', 'Robert "Bob"',
] as const

// prettier-ignore
export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee',
  "O'Brien", "O'Malley", 'Nguyễn', 'Müller', 'Brontë', 'García', 'Smith, Jr.', 'Kowalski', 'Van der Berg',
  'St. John', 'Núñez', 'Øberg', "D'Angelo", 'McAllister', 'Patel', 'Kim', 'Rossi', 'Dubois', 'Śliwa', 'Zhang',
] as const

// prettier-ignore
export const COMPANY_NAMES = [
  'Home Genius Exteriors',
  'Bay State Roofing & Siding, LLC',
  "O'Connor Windows & Doors",
  'Keystone "Premier" Remodeling',
  'Zoë Gutter Co.',
] as const

// prettier-ignore
export const OFFICE_NAMES = [
  'Philadelphia', 'King of Prussia, PA', 'Cherry Hill', 'Wilmington (DE)', 'Baltimore – North', 'Allentown',
  'Trenton', 'Lancaster', 'Boston HQ', 'Worcester',
] as const

// prettier-ignore
export const CITIES: readonly (readonly [city: string, state: string, zipPrefix: string])[] = [
  ['Philadelphia', 'PA', '191'], ['King of Prussia', 'PA', '194'], ['Lancaster', 'PA', '176'],
  ['Allentown', 'PA', '181'], ['Cherry Hill', 'NJ', '080'], ['Trenton', 'NJ', '086'],
  ['Hoboken', 'NJ', '070'], ['Wilmington', 'DE', '198'], ['Baltimore', 'MD', '212'],
  ['Boston', 'MA', '021'], ['Worcester', 'MA', '016'],
  ["Coeur d'Alene", 'ID', '838'],
]

// prettier-ignore
export const STREET_NAMES = [
  'Main St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Elm St', 'Washington Blvd', 'Lakeview Ct', 'Pine Rd',
  "St. Mary's Way", 'Route 73', 'Chestnut St, Apt 4B', 'Old York Rd', 'Ridge Pike', 'Market St #210',
] as const

// prettier-ignore
export const JOB_TYPES = [
  'Roofing', 'Siding', 'Windows', 'Gutters', 'Doors', 'Roofing, Gutters', 'Solar', 'Insulation',
] as const

/** line-item job types, including the leading-dash form the consumer strips */
// prettier-ignore
export const LINE_ITEM_JOB_TYPES = [
  'Roofing', '-Siding', 'Gutters', 'Windows', 'Doors', '-Roofing', 'Trim & Fascia', 'Skylights',
] as const

// prettier-ignore
export const BANKS = [
  'GreenSky', 'Service Finance', 'Mosaic', 'Foundation Finance', 'Hearth', 'Wells Fargo',
] as const
// prettier-ignore
export const LOANS = [
  '12 Months Same As Cash', '9.99% 120 mo', '7.99% 84 mo', 'Deferred Interest 18 mo',
  'Home Improvement Loan',
] as const

export const CRM_SOURCES = ['HubSpot', 'SalesRabbit', 'Manual', 'Website', 'Referral'] as const

// prettier-ignore
export const CREDIT_VENDORS = [
  'GreenSky', 'Service Finance', 'Mosaic', 'Foundation Finance', 'Hearth',
] as const
// prettier-ignore
export const CREDIT_STATUSES = [
  'Approved', 'Declined', 'Pending', 'Approved - Conditions', 'Withdrawn', 'Expired',
] as const

export const PAYMENT_TYPES = ['Credit Card', 'Check', 'ACH', 'Cash', 'Financing'] as const
// prettier-ignore
export const PAYMENT_DESCRIPTIONS = [
  'Deposit', 'Final payment', 'Deposit - check #1042', 'Balance, paid in full', 'Progress payment 1 of 2',
  'Refund "adjustment"',
] as const

// prettier-ignore
export const ACTIVITIES: readonly (readonly [note: string, metric: string, identifier: string])[] = [
  ['Opened estimate', 'estimate_opened', 'com.leap.estimate.open'],
  ['Presented price', 'price_presented', 'com.leap.price.present'],
  ['Sent contract', 'contract_sent', 'com.leap.contract.send'],
  ['Signed contract', 'contract_signed', 'com.leap.contract.sign'],
  ['Submitted credit app', 'credit_app_submitted', 'com.leap.creditapp.submit'],
  ['Emailed proposal, "Option B"', 'proposal_emailed', 'com.leap.proposal.email'],
]
export const PRICE_TYPES = ['Total', 'Monthly', 'Retail', 'Promo', 'Financed'] as const

/** free-text notes: commas, quotes, unicode and newlines */
// prettier-ignore
export const NOTES = [
  'Customer wants a follow-up next week.',
  'Both homeowners present, very engaged.',
  'Needs to "think about it", call back Friday',
  'Left a voicemail; no answer at the door.',
  'Prefers text messages over calls.\nDo not call before 10am.',
  'Dog in the yard – use the side gate.',
  "Spoke with Mrs. O'Brien, husband decides.",
  'Price too high, compared with 3 other quotes,\nasked for a discount.',
  'Große Anfrage: Dach + Dachrinnen 👍',
  'Rep note: "Great rapport"\r\nSet return appointment.',
] as const
