import { SALESPRO_TABLES, type SourceName } from './catalog.ts'
import type { MutationPlan } from './plan-chaos.ts'

// lower bounds of each table's size per `rows` (measured on the emulators, seeds 1-3)
const SIZE_PER_ROW: Record<string, number> = {
  customer: 1,
  estimate: 1.3,
  credit_application: 0.05,
  lead_result: 1.1,
  lead_result_line_item: 0.6,
  payment: 0.35,
  assoc_contact_appointment: 0.5,
  assoc_contact_division: 0.8,
  assoc_deal_contact: 0.3,
  assoc_deal_company: 0.25,
}

// HubSpot: archiving a record also removes the links it is part of
const LINKED: Record<string, string[]> = {
  contacts: ['assoc_contact_appointment', 'assoc_contact_division', 'assoc_deal_contact'],
  deals: ['assoc_deal_contact', 'assoc_deal_company'],
  appointments: ['assoc_contact_appointment'],
  divisions: ['assoc_contact_division'],
  companies: ['assoc_deal_company'],
}

/** The streams a deletion on `stream` shrinks. */
function affectedBy(source: SourceName, stream: string): string[] {
  if (source === 'hubspot') return [stream, ...(LINKED[stream] ?? [])]
  const table = SALESPRO_TABLES[stream]
  return Object.keys(SALESPRO_TABLES).filter((s) => SALESPRO_TABLES[s] === table)
}

/**
 * Keeps the deletions a full pass detects by absence (SalesPro's hard deletes, HubSpot's removed
 * links) under a quarter of each table: beyond half, crmsync rightly refuses them as "looks like a
 * source problem" (DESIGN.md §3.5), a safety rule and not a convergence failure. A change over
 * budget becomes an update (or a new link) instead. SalesRabbit's deletes are soft: no budget.
 */
export function applyDeleteBudget(
  mutations: MutationPlan[],
  source: SourceName,
  streams: readonly string[],
  rows: number,
): void {
  if (source === 'salesrabbit') return
  const sized = streams.filter((s) => s in SIZE_PER_ROW)
  const budget = new Map(sized.map((s) => [s, Math.floor(rows * SIZE_PER_ROW[s] * 0.25)]))
  for (const m of mutations) {
    if (m.kind !== 'delete' && m.kind !== 'unlink') continue
    const affected = affectedBy(source, m.stream).filter((s) => budget.has(s))
    const left = Math.min(m.count, ...affected.map((s) => budget.get(s) as number))
    for (const s of affected) budget.set(s, (budget.get(s) as number) - left)
    if (left > 0) m.count = left
    else m.kind = m.kind === 'unlink' ? 'link' : 'update'
  }
}
