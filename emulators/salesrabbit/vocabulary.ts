/**
 * Word lists for the generated data. They lean on what real door-to-door CRM data holds: Utah and
 * Mid-Atlantic territories, apostrophes and accents in names, half-filled records, free-text notes
 * with line breaks, and the odd value a rep typed in a hurry.
 */

export interface Territory {
  city: string
  state: string
  zip: string
  lat: number
  lng: number
  areaCodes: readonly string[]
}

function territory(city: string, state: string, zip: string, lat: number, lng: number, areaCodes: string[]) {
  return { city, state, zip, lat, lng, areaCodes }
}

export const TERRITORIES: readonly Territory[] = [
  territory('South Jordan', 'UT', '84009', 40.5397, -112.0329, ['801', '385', '435']),
  territory('Lehi', 'UT', '84043', 40.4168, -111.8848, ['801', '385']),
  territory('Temple Hills', 'MD', '20748', 38.8051, -76.93, ['301', '240']),
  territory('Laurel', 'MD', '20723', 39.1606, -76.8814, ['301', '443']),
  territory('Ft Washington', 'MD', '20744', 38.7333, -76.985, ['240', '301']),
  territory('Midlothian', 'VA', '23114', 37.473, -77.647, ['804']),
  territory('Burke', 'VA', '22015', 38.7966, -77.262, ['703', '571']),
  territory('Mesa', 'AZ', '85204', 33.3967, -111.79, ['480']),
  territory('Dallas', 'TX', '75228', 32.8253, -96.6826, ['214', '469']),
  territory('San Antonio', 'TX', '78249', 29.5649, -98.6117, ['210']),
  territory('Tampa', 'FL', '33647', 28.1325, -82.3596, ['813']),
  territory('Raleigh', 'NC', '27615', 35.8887, -78.6393, ['919', '984']),
  territory('Boise', 'ID', '83709', 43.5721, -116.2932, ['208']),
  territory("Coeur d'Alene", 'ID', '83814', 47.6777, -116.7805, ['208']),
  territory('Cañon City', 'CO', '81212', 38.441, -105.2425, ['719']),
  territory('Las Vegas', 'NV', '89123', 36.0383, -115.1468, ['702', '725']),
  // a spreadsheet import once turned 02134 into 2134; the leading zero is sometimes lost
  territory('Boston', 'MA', '02134', 42.3539, -71.1337, ['617', '857']),
]

export const FIRST_NAMES = [
  'Karen', 'Marita', 'Chen', 'Elisabeth', 'Adrienne', 'Terry', 'Kyle', 'Sean', 'Paul', 'Veronica', 'Heather',
  'John', 'Delores', 'Pia', 'Clair', 'Johnnie', 'James', 'Mary', 'Robert', 'Patricia', 'Michael', 'Linda',
  'José', 'Zoë', 'Renée', 'Chloé', 'Siobhán', 'Björn', 'François', 'Seán', 'Ana María', 'Jean-Luc',
  'DeShawn', 'Aaliyah', 'Fatima', 'Mohammed', 'Wei', 'Priya', 'Łukasz', 'Nguyễn Thị', 'Chema And Maria',
  'dylan', 'Mr', 'Mrs',
] as const

export const LAST_NAMES = [
  'Bedell', 'Branch', 'Polton', 'Willis', 'Graham', 'Weber', 'Higdon', 'Rucker', 'Martinez', 'Bailey',
  'Wood', 'Lloyd', 'Clark', 'Morgan', 'Smith', 'Johnson', 'Williams', 'Brown', 'Davis', 'Lee', 'Patel',
  'Kim', 'Nguyen', "O'Brien", "D'Angelo", "O'Connor", 'García', 'Núñez', 'Müller', 'Øberg', 'McDonald',
  'Van der Berg', 'St. John', 'Smith-Jones', 'Kowalski', 'Doc', 'Singleton', 'Jerryl', 'la',
] as const

export const STREET_NAMES = [
  'Keystone', 'Windstone', 'Hill Stone', 'Pointe Meadow', 'Cedell', 'Kindler', 'Rachel Yates', 'Cagle',
  'Kingscross', 'Byron', 'Southampton', 'Van Buren', 'Felwood', 'Longhill', 'Sylvan', 'Millstone',
  'Quantico', 'Washington', 'Meadowdale', 'Lynne Haven', 'Mountain Laurel', 'Oak', 'Maple', 'Cedar',
  'Cottonwood', "King's Ridge", 'Peña', 'Sunset', 'Canyon View', 'Willow Creek',
] as const

export const STREET_SUFFIXES = [
  'St', 'Dr', 'Rd', 'Ave', 'Ln', 'Ct', 'Cir', 'Way', 'Pl', 'Ter', 'Loop', 'Blvd',
] as const
export const DIRECTIONS = ['N', 'S', 'E', 'W'] as const
export const UNITS = ['Apt 4B', 'Unit 12', '#203', 'Ste 100', 'Lot 7', 'Basement'] as const

/** Statuses with their share of leads; "" is a lead nobody has dispositioned. */
export const STATUS_WEIGHTS: readonly (readonly [string, number])[] = [
  ['Lead', 28],
  ['Not Home', 24],
  ['Not Interested', 17],
  ['Go Back (30 days)', 6],
  ['Appointment Set', 6],
  ['Do Not Knock', 4],
  ['Customer', 7],
  ['Renter', 3],
  ['', 5],
]

export const NOTES = [
  'old wood house. (This was an imported test lead.)',
  'Roof 15+ streaking granule loss',
  'No cars\nHole ',
  'No cars s',
  'Multiple missing shingles, we guess the roof is 13 years old',
  'Husband works nights — come back after 5pm',
  'Dog in yard!! 🐕',
  'Señora dijo que vuelva el sábado',
  'HOA says "no solicitors" but owner was friendly',
  'Wants quote for gutters too; neighbor at 1740 signed',
  '  ',
  'Called 3x, vm full',
] as const

export const BUSINESS_NAMES = [
  "Smith's Roofing LLC",
  'Café Olé',
  'Wasatch Dental Group',
  'B & B Auto Repair',
  "Nguyen's Nail Spa",
  'First Baptist Church of Laurel',
] as const

export const EMAIL_DOMAINS = [
  'gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'icloud.com', 'mailinator.com', 'comcast.net',
] as const

/** custom field name → possible values; a lead carries a varying subset of them */
export const CUSTOM_FIELDS: Record<string, readonly string[]> = {
  objection: ['Price', 'Timing', 'Spouse not home', 'Already has provider', 'Renting', 'HOA'],
  roofAge: ['3', '8', '12', '15', '20', '25+', 'unknown'],
  leadSource: ['Door Knock', 'Referral', 'Website', 'Event', 'Canvass Blitz'],
  otherReason: ['roof', 'windows', 'solar', ''],
  homeowner: ['Yes', 'No'],
  utilityCompany: ['Rocky Mountain Power', 'Dominion Energy', 'Pepco', 'BGE', 'APS', 'Duke Energy'],
  monthlyBill: ['$95', '$140', '$180', '$260', '$310'],
  bestTimeToCall: ['Morning', 'Evening', 'Weekends'],
}

export const CAMPAIGN_IDS = [101, 102, 105, 118, 124, 131] as const

export const OFFICES = ['Salt Lake City', 'Baltimore', 'Richmond', 'Phoenix', 'Dallas', 'Boise'] as const
export const TEAMS = ['Alpha', 'Bravo', 'Storm Chasers', 'Night Owls', 'Rookies'] as const
export const REGIONS = ['Mountain', 'Mid-Atlantic', 'Southwest', 'South'] as const
export const DEPARTMENTS = ['Sales', 'Operations', 'Install'] as const
export const BUSINESS_UNITS = ['Roofing', 'Solar', 'Pest Control'] as const
export const ROLES = ['Rep', 'Rep', 'Rep', 'Rep', 'Team Lead', 'Manager', 'Admin'] as const
