import type { Random } from './random.ts'

/**
 * Values for a field that `POST /_admin/alter` adds to a source's shape. A source that gains a
 * field fills it in for the rows people touch afterwards, so the values should look like what
 * a person or an app would write under that name: a `loyalty_tier` holds tiers, a `score` a
 * small number. The name picks a vocabulary; the emulator's seeded stream picks the value.
 */

/** share of touched rows whose new field stays empty: the field is optional in the app */
export const ADDED_NULL_SHARE = 0.1

const TEXT_HINTS: readonly [RegExp, readonly string[]][] = [
  [/tier|level|rank|grade|class/, ['Bronze', 'Silver', 'Gold', 'Platinum']],
  [/status|stage|state/, ['Active', 'Pending', 'On Hold', 'Closed', 'Cancelled']],
  [/source|channel|campaign|origin/, ['Door Knock', 'Referral', 'Web Form', 'Home Show', 'Radio', 'Mailer']],
  [/colou?r|shade|finish/, ['Charcoal', 'Weathered Wood', 'Slate', 'Desert Tan', 'Hunter Green']],
  [/note|comment|remark|description/, ['Call after 5pm', 'Gate code 4411', 'Prefers text', 'Dog in yard']],
  [/lang/, ['English', 'Spanish', 'Vietnamese', 'Portuguese']],
]
const GENERIC_TEXT = ['Standard', 'Preferred', 'Premium', 'Basic', 'Legacy']
const AMOUNT = /amount|price|cost|total|value|balance|payment|revenue|fee/
const RATE = /rate|percent|pct|apr/
const FIRST = ['maria', 'james', 'linh', 'jose', 'aisha', 'tom', 'zoe']
const LAST = ['garcia', 'smith', 'nguyen', 'obrien', 'patel', 'kowalski']

const words = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()

/** the values a pick-list field called `name` offers (a tier field: tiers) */
export function choicesFor(name: string): readonly string[] {
  const n = words(name)
  return TEXT_HINTS.find(([pattern]) => pattern.test(n))?.[1] ?? GENERIC_TEXT
}

/** a text value that fits a field called `name` (snake_case or camelCase) */
export function textFor(name: string, random: Random): string {
  const n = words(name)
  if (/e_?mail/.test(n)) return `${random.pick(FIRST)}.${random.pick(LAST)}@example.com`
  if (/phone|mobile/.test(n)) {
    return `(${random.int(201, 989)}) ${random.int(200, 999)}-${random.chars(4, '0123456789')}`
  }
  if (/(^|_)(code|ref|reference|number|id)$/.test(n)) {
    return `${random.chars(2, 'ABCDEFGHJKLMNPQRSTUVWXYZ')}-${random.int(100_000, 999_999)}`
  }
  return random.pick(choicesFor(name))
}

/** a whole number that fits a field called `name` */
export function integerFor(name: string, random: Random): number {
  const n = words(name)
  if (/score|rating|percent|pct/.test(n)) return random.int(0, 100)
  if (/year/.test(n)) return random.int(2015, 2026)
  if (/count|qty|quantity|number|num|visits|rooms/.test(n)) return random.int(0, 20)
  // loyalty points, square feet: hundreds to a few thousand
  return random.int(0, 5_000)
}

/** a number with cents that fits a field called `name`, as integer hundredths */
export function hundredthsFor(name: string, random: Random): number {
  const n = words(name)
  if (RATE.test(n)) return random.int(0, 3_000)
  if (AMOUNT.test(n)) return random.int(5_000, 2_500_000)
  return random.int(0, 100_000)
}

/** a number that fits a field called `name`: money and rates with cents, counts and points whole */
export function numberFor(name: string, random: Random): number {
  const n = words(name)
  return RATE.test(n) || AMOUNT.test(n) ? hundredthsFor(name, random) / 100 : integerFor(name, random)
}
