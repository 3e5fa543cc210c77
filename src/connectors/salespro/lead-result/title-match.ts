import assert from 'node:assert/strict'
import { LEAD_RESULT_COLUMNS, type AnswerColumnName } from './columns.ts'
import { TITLE_ALIASES } from './title-aliases.ts'

/** What a form title stands for. */
export type TitleMatch =
  | { kind: 'column'; column: AnswerColumnName }
  /** a legacy line-item answer: "Job Type N" (`type`) or "Job Type N Amount" (`amount`) */
  | { kind: 'line-item'; number: number; field: 'type' | 'amount' }
  | { kind: 'unknown' }

/**
 * The comparable form of a title: lower case, letters and digits only, with `&` and `/`
 * spelled "and" and apostrophes dropped. Labels drift in exactly these ways ("Job Size ",
 * "Call to Action -", "Deadline?", "Warm-Up" vs "Warm Up", "Company Cam" vs "CompanyCam",
 * "Customer's" vs "Customers", "Urgency / Time Frame" vs "Urgency & Time Frame"), and none of
 * them changes what is asked.
 */
export function titleKey(title: string): string {
  return (
    title
      .normalize('NFKC')
      // a title escaped twice arrives with the escape still in it after one JSON.parse
      .replace(/\\u0026/gi, '&')
      .toLowerCase()
      .replace(/['’‘`]/g, '')
      .replace(/[&/]/g, ' and ')
      .replace(/[^a-z0-9]+/g, '')
  )
}

/** The key without parenthesised remarks: "Result Reason - No Demo (REQUIRES ...)" → "resultreasonnodemo". */
function shortTitleKey(title: string): string {
  return titleKey(title.replace(/\([^)]*\)/g, ' '))
}

const COLUMN_BY_KEY = buildKeyTable()

function buildKeyTable(): Map<string, AnswerColumnName> {
  const table = new Map<string, AnswerColumnName>()
  const add = (key: string, column: AnswerColumnName, source: string) => {
    if (key === '') return
    const taken = table.get(key)
    assert(
      taken === undefined || taken === column,
      `lead-result title "${source}" matches both ${taken} and ${column}; make the aliases distinct`,
    )
    table.set(key, column)
  }
  for (const { name } of LEAD_RESULT_COLUMNS) {
    if (name === 'status_bucket') continue
    add(titleKey(name), name, name)
    for (const title of TITLE_ALIASES[name]) {
      add(titleKey(title), name, title)
      add(shortTitleKey(title), name, title)
    }
  }
  return table
}

const LINE_ITEM_KEY = /^jobtype([1-6])(amount)?$/

// a form has a few dozen titles and every row repeats them; remember the answers, within reason
const MATCH_CACHE_LIMIT = 10_000
const matchCache = new Map<string, TitleMatch>()

export function matchTitle(title: string): TitleMatch {
  const cached = matchCache.get(title)
  if (cached) return cached
  const match = Object.freeze(matchTitleUncached(title))
  if (matchCache.size < MATCH_CACHE_LIMIT) matchCache.set(title, match)
  return match
}

function matchTitleUncached(title: string): TitleMatch {
  for (const key of [titleKey(title), shortTitleKey(title)]) {
    const column = COLUMN_BY_KEY.get(key)
    if (column) return { kind: 'column', column }
    const lineItem = LINE_ITEM_KEY.exec(key)
    if (lineItem) {
      return { kind: 'line-item', number: Number(lineItem[1]), field: lineItem[2] ? 'amount' : 'type' }
    }
  }
  return { kind: 'unknown' }
}
