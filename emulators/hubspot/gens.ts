import type { Random } from '../shared/random.ts'
import * as pools from './pools.ts'
import type { ValueGen } from './property-kit.ts'

/** Small value generators the schema files share. */
export const oneOf =
  <T extends string | null>(pool: readonly T[]): ValueGen =>
  (r) =>
    r.pick(pool)

/** an integer in [min, max], as HubSpot sends numbers: a string */
export const digits =
  (min: number, max: number): ValueGen =>
  (r) =>
    String(r.int(min, max))

export const hex = (r: Random, n: number) => r.chars(n, '0123456789abcdef')
export const letters = (r: Random, n: number) => r.chars(n, 'abcdefghijklmnopqrstuvwxyz')
export const street: ValueGen = (r) => `${r.int(1, 9999)} ${r.pick(pools.STREETS)}`
export const fullName: ValueGen = (r) => `${r.pick(pools.FIRST_NAMES)} ${r.pick(pools.LAST_NAMES)}`
export const companyName: ValueGen = (r) => `${r.pick(pools.COMPANY_WORDS)} ${r.pick(pools.COMPANY_SUFFIXES)}`
export const staffEmail: ValueGen = (r) => `${letters(r, 8)}@homegenius.example`
export const place =
  (part: 0 | 1 | 2): ValueGen =>
  (r) =>
    r.pick(pools.PLACES)[part]

export function price(r: Random): string {
  // whole dollars mostly, cents sometimes: numbers travel as strings either way
  const dollars = r.int(2_500, 45_000)
  return r.chance(0.3) ? `${dollars}.${r.chars(2, '0123456789')}` : String(dollars)
}

/** ASCII letters and digits only, lower case: the part of a name that survives into an email address */
export const ascii = (value: string) =>
  value
    .normalize('NFKD')
    .replace(/[^\w]/g, '')
    .toLowerCase()
