/**
 * Processors: Athena hands every value over as text. These turn that text into typed values,
 * keeping NULL and "" apart for text, and failing loudly (a reject with a reason) instead of
 * guessing. Non-text columns read "" as NULL, because SalesPro stores many of them as varchar.
 */
export class ValueError extends Error {}

export type Parser = (text: string | null) => unknown

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)$/
const DECIMAL = /^-?\d+(\.\d+)?$/
const INTEGER = /^-?\d+$/
const DATE = /^\d{4}-\d{2}-\d{2}$/

const TRUE = new Set(['true', 't', '1', 'yes', 'y'])
const FALSE = new Set(['false', 'f', '0', 'no', 'n'])

const empty = (text: string | null) => text === null || text.trim() === ''

export const parse = {
  text: (text: string | null) => text,
  /** `'false'` is false: the original system's `bool('false')` was true */
  boolean: (text: string | null) => {
    if (empty(text)) return null
    const v = (text as string).trim().toLowerCase()
    if (TRUE.has(v)) return true
    if (FALSE.has(v)) return false
    throw new ValueError(`${JSON.stringify(text)} is not a boolean`)
  },
  decimal: (text: string | null) => {
    if (empty(text)) return null
    const v = (text as string).trim()
    if (!DECIMAL.test(v)) throw new ValueError(`${JSON.stringify(text)} is not a decimal number`)
    return v
  },
  bigint: (text: string | null) => {
    if (empty(text)) return null
    const v = (text as string).trim()
    if (!INTEGER.test(v)) throw new ValueError(`${JSON.stringify(text)} is not an integer`)
    return v
  },
  /** Athena timestamps have no zone; SalesPro writes UTC, so the exact text gets a `Z` */
  timestamp: (text: string | null) => {
    if (empty(text)) return null
    const match = TIMESTAMP.exec((text as string).trim())
    if (!match) throw new ValueError(`${JSON.stringify(text)} is not a timestamp`)
    return `${match[1]} ${match[2]}Z`
  },
  date: (text: string | null) => {
    if (empty(text)) return null
    if (!DATE.test((text as string).trim())) throw new ValueError(`${JSON.stringify(text)} is not a date`)
    return (text as string).trim()
  },
} satisfies Record<string, Parser>

/** Athena's own timestamp text for a cursor: the processed value without its `Z`. */
export const athenaTimestampOf = (processed: string) => processed.slice(0, -1)
