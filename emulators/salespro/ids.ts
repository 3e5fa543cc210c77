/**
 * Deterministic identifiers. Keys are Parse-style 10-character objectIds (`TFduILj66d`) that are
 * unique by construction: six of the characters encode a bijective scramble of the row's index, so
 * no set of issued ids has to be kept in memory while a million rows are generated.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** an invertible 32-bit mix (xorshift-multiply steps are bijections on uint32) */
function scramble(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0
  return (x ^ (x >>> 16)) >>> 0
}

/** a non-invertible hash used only for the filler characters */
function filler(x: number): number {
  return scramble((x ^ 0x9e3779b9) + 0x632be5ab)
}

/**
 * The objectId of row `index` of the id space `salt` (one per table). Distinct indexes of one salt
 * always give distinct ids; indexes must stay below 2^32.
 */
export function objectId(salt: number, index: number): string {
  let unique = scramble((index ^ salt) >>> 0)
  let extra = filler(index + salt)
  // positions 0, 3, 6 and 9 are filler; the other six spell `unique` in base 62 (62^6 > 2^32).
  // Plain concatenation: this runs a few million times when a large data set is generated.
  let out = ALPHABET[extra % 62]
  extra = Math.floor(extra / 62)
  for (let pair = 0; pair < 3; pair++) {
    out += ALPHABET[unique % 62]
    unique = Math.floor(unique / 62)
    out += ALPHABET[unique % 62]
    unique = Math.floor(unique / 62)
    out += ALPHABET[extra % 62]
    extra = Math.floor(extra / 62)
  }
  return out
}

/** a lowercase RFC 4122-shaped (version 4) uuid built from two indexes, for `local_customer_uuid` */
export function deterministicUuid(salt: number, index: number): string {
  const words = [
    scramble(index ^ salt),
    scramble(index + 0x1234567),
    filler(index ^ salt),
    scramble(filler(index) ^ salt),
  ]
  const hex = words.map((w) => w.toString(16).padStart(8, '0')).join('')
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)
  const time = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}`
  return `${time}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}
