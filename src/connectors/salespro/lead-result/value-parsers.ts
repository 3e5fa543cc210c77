import { decimalText, ValueError } from '../../processors.ts'

/**
 * Value parsers for lead-result answers. Answers arrive as JSON values, mostly strings
 * ("Yes", "$12,450.00", " -Roofing "), sometimes numbers or booleans.
 *
 * Each parser returns `{ value }`, plus `problem` when a non-empty answer could not be read:
 * the value is then null and the caller reports the problem as a warning instead of failing
 * the row.
 */
export interface Parsed<T> {
  value: T | null
  /** Why a non-empty answer was read as null, e.g. "is not an amount". */
  problem?: string
}

// answers the form uses to mean "nothing"; compared after trimming, case-insensitively
const EMPTY_ANSWERS = new Set(['', 'null', 'none', 'n/a', '-'])

const TRUE_WORDS = new Set(['yes', 'y', 'true', '1', 'on'])
const FALSE_WORDS = new Set(['no', 'n', 'false', '0', 'off'])


export function isEmptyAnswer(text: string): boolean {
  return EMPTY_ANSWERS.has(text.trim().toLowerCase())
}

/** Any JSON value as text: numbers and booleans as written, lists joined, objects as JSON. */
export function answerToText(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null
  if (typeof raw === 'string') return raw
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw)
  if (Array.isArray(raw)) {
    // multi-select answers: keep the picked options, drop the empty ones
    const parts = raw
      .map(answerToText)
      .filter((part): part is string => part !== null && !isEmptyAnswer(part))
      .map((part) => part.trim())
    return parts.length > 0 ? parts.join(', ') : null
  }
  return JSON.stringify(raw)
}

/** Trimmed text; empty markers become null and a leading "-" is dropped ("-Roofing" → "Roofing"). */
export function parseText(raw: unknown): Parsed<string> {
  const text = answerToText(raw)
  if (text === null) return { value: null }
  // the form prefixes some options with a dash; it is decoration, not part of the answer
  const stripped = text.trim().replace(/^-+\s*/, '')
  return { value: isEmptyAnswer(stripped) ? null : stripped }
}

/** yes/y/true/1/on → true, no/n/false/0/off → false (any case); anything else → null. */
export function parseBool(raw: unknown): Parsed<boolean> {
  if (raw === null || raw === undefined) return { value: null }
  if (typeof raw === 'boolean') return { value: raw }
  if (typeof raw === 'number' || typeof raw === 'string') {
    const word = String(raw).trim().toLowerCase()
    if (TRUE_WORDS.has(word)) return { value: true }
    if (FALSE_WORDS.has(word)) return { value: false }
    if (EMPTY_ANSWERS.has(word)) return { value: null }
  }
  return { value: null, problem: 'is not a yes/no answer' }
}

/**
 * An amount as a decimal string, read by the money processor every connector shares
 * ("$12,450.00" → "12450.00", "(15.00)" → "-15.00"; digits kept as given, never rounded). Text
 * with two numbers in it ("12450 (5% off)", "$100 - $200") is refused, not glued into one.
 */
export function parseMoney(raw: unknown): Parsed<string> {
  if (raw === null || raw === undefined) return { value: null }
  if (typeof raw === 'string' && isEmptyAnswer(raw)) return { value: null }
  if (typeof raw !== 'string' && typeof raw !== 'number') return { value: null, problem: 'is not an amount' }
  try {
    return { value: decimalText(raw) }
  } catch (error) {
    if (error instanceof ValueError) return { value: null, problem: 'is not an amount' }
    throw error
  }
}
