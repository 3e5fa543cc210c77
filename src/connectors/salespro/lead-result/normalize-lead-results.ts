import { z } from 'zod'
import { columnKind, emptyColumns, type LeadResultColumnKind, type LeadResultColumns } from './columns.ts'
import { buildLineItems, lineItemSlot, type LeadResultLineItem } from './line-items.ts'
import { matchTitle } from './title-match.ts'
import { parseBool, parseMoney, parseText, type Parsed } from './value-parsers.ts'

/** A lead result's form answers, normalized. Reading never throws: problems become warnings. */
export interface LeadResultNormalized {
  /** every column of LEAD_RESULT_COLUMNS, null when not answered */
  columns: LeadResultColumns
  /** rows for the line-item table, in job_type_number order */
  lineItems: LeadResultLineItem[]
  /** titles, as received, that matched no column; their answers live on only in the raw JSON */
  unknownTitles: string[]
  /** e.g. `job_size: "abc" is not an amount`; the row is still written */
  warnings: string[]
}

// a missing `value` is an unanswered question, not a malformed answer
const answerSchema = z.object({ title: z.string(), value: z.unknown().optional() })

const PARSERS: Record<LeadResultColumnKind, (raw: unknown) => Parsed<string | boolean>> = {
  text: parseText,
  bool: parseBool,
  money: parseMoney,
}

const STATUS_BUCKET = /^(\[[A-Z]+\])/

interface ReadState {
  columns: Record<string, string | boolean | null>
  legacy: Map<string, string>
  // slot → the title whose value was kept, to explain a dropped duplicate
  keptFrom: Map<string, string>
  unknownTitles: Set<string>
  warnings: string[]
}

/** Normalize the parsed `lead_results` array (see parseLeadResultsJson). */
export function normalizeLeadResults(answers: unknown): LeadResultNormalized {
  const columns = emptyColumns()
  const state: ReadState = {
    columns,
    legacy: new Map(),
    keptFrom: new Map(),
    unknownTitles: new Set(),
    warnings: [],
  }
  if (Array.isArray(answers)) {
    answers.forEach((answer, index) => readAnswer(state, answer, index))
  } else if (answers !== null && answers !== undefined) {
    state.warnings.push('lead_results is not an array; no answers read')
  }

  columns.status_bucket = columns.appointment_result?.match(STATUS_BUCKET)?.[1] ?? null
  return {
    columns,
    lineItems: buildLineItems(state.legacy, columns),
    unknownTitles: [...state.unknownTitles],
    warnings: state.warnings,
  }
}

function readAnswer(state: ReadState, answer: unknown, index: number): void {
  const parsed = answerSchema.safeParse(answer)
  if (!parsed.success || parsed.data.title.trim() === '') {
    state.warnings.push(`answer ${index + 1} is not a {title, value} object; skipped: ${preview(answer)}`)
    return
  }
  const { title, value } = parsed.data
  const match = matchTitle(title)
  if (match.kind === 'unknown') {
    state.unknownTitles.add(title)
    return
  }

  const slot = match.kind === 'column' ? match.column : lineItemSlot(match.number, match.field)
  const kind = match.kind === 'column' ? columnKind(match.column) : match.field === 'type' ? 'text' : 'money'
  const result = PARSERS[kind](value)
  if (result.problem) state.warnings.push(`${slot}: ${preview(value)} ${result.problem}`)
  if (result.value === null) return

  // forms that repeat a question keep the first real answer; later ones are reported, not merged
  const keptFrom = state.keptFrom.get(slot)
  if (keptFrom !== undefined) {
    state.warnings.push(
      `${slot}: answered again by "${title}" (${preview(value)}); kept the first answer from "${keptFrom}"`,
    )
    return
  }
  state.keptFrom.set(slot, title)
  if (match.kind === 'column') state.columns[slot] = result.value
  else state.legacy.set(slot, String(result.value))
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
