/**
 * Word pools the generators draw from. They hold the awkward cases on purpose (apostrophes,
 * quotes, accents, non-Latin scripts, emoji) because a sync that breaks on them in production
 * should break here first.
 */
// prettier-ignore
export const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Carlos', 'Karen',
  'José', 'Zoë', 'Chloé', 'Renée', 'Björn', 'Łukasz', 'Nguyễn Văn', 'Søren', 'Anaïs', 'François',
  'Mei', '李', 'Дмитрий', 'Aleksandra', "D'Andre", 'Mary-Kate', 'Jo "JJ"', 'Ａｉ', 'Émile', 'Ngozi',
] as const

// prettier-ignore
export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  "O'Brien", "D'Angelo", 'McDonald', 'van der Berg', 'Müller', 'Núñez', 'Ólafsdóttir', 'Kowalski-Nowak',
  'Nguyen', 'Tran', '王', 'Иванов', 'Smith Jr.', 'de la Cruz', 'St. John', 'Ng', 'Ødegaard', 'Østergård',
] as const

/** city, state, zip: coherent so that address-based joins still look plausible */
// prettier-ignore
export const PLACES = [
  ['Philadelphia', 'PA', '19103'], ['Pittsburgh', 'PA', '15213'], ['Allentown', 'PA', '18101'],
  ['Baltimore', 'MD', '21201'], ['Rockville', 'MD', '20850'], ['Richmond', 'VA', '23219'],
  ['Virginia Beach', 'VA', '23451'], ['Newark', 'NJ', '07102'], ['Cherry Hill', 'NJ', '08002'],
  ['Wilmington', 'DE', '19801'], ['Columbus', 'OH', '43215'], ['Cleveland', 'OH', '44113'],
  ['Charlotte', 'NC', '28202'], ['Raleigh', 'NC', '27601'], ['Atlanta', 'GA', '30303'],
  ['Nashville', 'TN', '37203'], ['Indianapolis', 'IN', '46204'], ['Detroit', 'MI', '48226'],
  ["Coeur d'Alene", 'ID', '83814'], ['Española', 'NM', '87532'],
] as const

// prettier-ignore
export const STREETS = [
  'Main St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Elm St', 'Pine Rd', 'Washington Blvd', 'Lake Shore Dr',
  'Park Ave', 'Church St', "King's Hwy", 'Market St', 'Chestnut St', 'Ridge Rd', 'Mill Creek Rd',
] as const

// prettier-ignore
export const EMAIL_DOMAINS = [
  'gmail.com', 'yahoo.com', 'outlook.com', 'aol.com', 'icloud.com', 'comcast.net', 'verizon.net',
] as const

// prettier-ignore
export const COMPANY_WORDS = [
  'Acme', 'Summit', 'Keystone', 'Liberty', 'Pinnacle', 'Blue Ridge', 'Harbor', 'Granite', 'Evergreen',
  'Northstar', 'Atlas', 'Cardinal', 'Heritage', 'Patriot', 'Riverside', 'Crescent', 'Müller & Söhne',
  "Smith's", 'Café Olé', "O'Neil Bros.",
] as const

// prettier-ignore
export const COMPANY_SUFFIXES = [
  'LLC', 'Inc.', 'Roofing', 'Home Services', 'Builders', 'Group', 'Co.', '& Sons',
] as const

// prettier-ignore
export const LEAD_SOURCES = [
  'Google Ads', 'Facebook', 'Home Show', 'Referral', 'Door Knock', 'Angi', 'HomeAdvisor', 'Radio', 'TV',
  'Direct Mail', 'Website', 'Yelp', 'Canvass', 'Event', 'Other',
] as const

export const SERVICES = ['roofing', 'siding', 'windows', 'gutters', 'doors', 'solar', 'insulation'] as const

export const COMMENTS = [
  'Call after 5pm',
  'Prefers text — no calls on Sunday',
  'Spoke with spouse; wants "the works"',
  'Dog in yard 🐕, use side gate',
  'Interested in financing\nFollow up next week',
  'Asked for estimate in Spanish / pide estimado en español',
  'Left voicemail x3',
  "Homeowner's association approval pending",
  'Referred by neighbor at 12 Oak Ave',
  'Price too high ($$$) — revisit Q3',
  'Tab\tseparated\tnote',
  '',
] as const

// prettier-ignore
export const SEARCH_TERMS = [
  'roof repair near me', 'replacement windows cost', 'siding contractors', 'gutter guards', 'best roofer',
] as const

// prettier-ignore
export const JOB_TITLES = [
  'Sales Rep', 'Senior Sales Rep', 'Project Manager', 'Installer', 'Canvasser', 'Office Manager',
  'Sales Manager', 'Confirmer',
] as const

export const REGIONS = ['Mid-Atlantic', 'Northeast', 'Southeast', 'Midwest', 'South'] as const

// prettier-ignore
export const APPOINTMENT_RESULTS = [
  '[SOLD] Sold', '[HRE] Demo - Not Sold', '[CC] Cancelled by Customer', '[NS] No Show', '[RS] Reschedule',
  '[MGMT] Manager Review', '[ND] No Demo - One Legger', null,
] as const
