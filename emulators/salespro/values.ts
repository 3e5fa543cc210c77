import type { Random } from '../shared/random.ts'

/** share of optional text values that are NULL, and that are the empty string '' */
const NULL_SHARE = 0.05
const EMPTY_SHARE = 0.02

/** an optional text column: ~5% NULL, ~2% '' and otherwise the value */
export function optional(random: Random, value: string): string | null {
  const r = random.next()
  if (r < NULL_SHARE) return null
  if (r < NULL_SHARE + EMPTY_SHARE) return ''
  return value
}

/** an optional value of another type: ~5% NULL */
export function maybeNull<T>(random: Random, value: T): T | null {
  return random.chance(NULL_SHARE) ? null : value
}

/** the text when it is a real value, null for NULL or '' */
export const nullishText = (value: string | null) => (value === null || value === '' ? null : value)

/** cents as the decimal text `123.45` */
export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : ''
  const abs = Math.abs(cents)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

// grouping by hand, not toLocaleString: output must not depend on the machine's ICU data
const grouped = (plain: string) => plain.replace(/\B(?=(\d{3})+\.)/g, ',')

/** money the way people type it into a form: "$12,450.00", "12450", "12450.00" */
export function formatMoney(random: Random, cents: number): string {
  const plain = centsToDecimal(cents)
  const style = random.int(0, 3)
  if (style === 0) return `$${grouped(plain)}`
  if (style === 1) return String(Math.round(cents / 100))
  if (style === 2) return plain
  return `$${plain}`
}

/** non-negative cents in E notation with the fewest digits: 123450 → "1.2345e3" */
function scientific(cents: number): string {
  if (cents === 0) return '0e0'
  const digits = String(cents)
  const fraction = digits.slice(1).replace(/0+$/, '')
  return `${digits[0]}${fraction ? `.${fraction}` : ''}e${digits.length - 3}`
}

/**
 * Non-negative cents as the money text sales apps export into a text column, each of eleven
 * shapes about as often: "$1,000.00", "2,500.00", "750.5", "1234.56", " (15.00) " and "15.00-"
 * (accounting negatives: the amount was a credit), "USD 1,234.50", "1,234.50 USD", "1.2345e3",
 * '' and NULL. A reader has to normalise every one of them.
 */
export function exportedMoney(random: Random, cents: number): string | null {
  const plain = centsToDecimal(cents)
  switch (random.int(0, 10)) {
    case 0:
      return `$${grouped(plain)}`
    case 1:
      return grouped(plain)
    case 2:
      // a float printed by a script: no trailing zeros
      return String(cents / 100)
    case 3:
      return plain
    case 4:
      return ` (${plain}) `
    case 5:
      return `${plain}-`
    case 6:
      return `USD ${grouped(plain)}`
    case 7:
      return `${grouped(plain)} USD`
    case 8:
      return scientific(cents)
    case 9:
      return ''
    default:
      return null
  }
}
