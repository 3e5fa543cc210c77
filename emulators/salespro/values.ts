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

/** money the way people type it into a form: "$12,450.00", "12450", "12450.00" */
export function formatMoney(random: Random, cents: number): string {
  const plain = centsToDecimal(cents)
  const style = random.int(0, 3)
  // grouping by hand, not toLocaleString: output must not depend on the machine's ICU data
  if (style === 0) return `$${plain.replace(/\B(?=(\d{3})+\.)/g, ',')}`
  if (style === 1) return String(Math.round(cents / 100))
  if (style === 2) return plain
  return `$${plain}`
}
