import type { Random } from '../shared/random.ts'
import type { RowValue } from './generators.ts'
import { buildLeadResultItems, stringifyLeadResults } from './lead-result-json.ts'
import type { AthenaTable } from './tables.ts'
import { optional } from './values.ts'
import * as words from './vocabulary.ts'

type UpdateMaker = (random: Random, atMs: number) => Record<string, RowValue>

/**
 * What a random update changes in each updatable table: a couple of columns a real user or
 * the app would change (a status, an amount, a re-answered form). Values use `RowValue`
 * encoding; `updated_at` is set by the caller.
 */
export const UPDATE_MAKERS: Readonly<Record<Exclude<AthenaTable, 'user_activity'>, UpdateMaker>> = {
  customer: (random) => {
    const source = random.pick(['HubSpot', 'SalesRabbit'])
    const sourceId = source === 'HubSpot' ? random.int(1e7, 99_999_999_999) : random.int(100_000, 9_999_999)
    return {
      customer_last_name: optional(random, random.pick(words.LAST_NAMES)),
      crm_source: source,
      crm_source_id: String(sourceId),
    }
  },
  estimate: (random) => {
    const isSale = random.chance(0.6)
    return {
      is_sale: isSale,
      sale_amount: random.int(150_000, 4_500_000),
      job_type: optional(random, random.pick(words.JOB_TYPES)),
      document_count: random.int(1, 15),
    }
  },
  credit_applications: (random) => ({
    credit_app_status: random.pick(words.CREDIT_STATUSES),
    credit_app_amount: random.int(100_000, 6_000_000),
    credit_app_note: optional(random, random.pick(words.NOTES)),
  }),
  lead_results: (random, atMs) => {
    const context = {
      isSale: random.chance(0.4),
      jobType: random.pick(words.JOB_TYPES),
      saleCents: random.int(150_000, 4_500_000),
      createdMs: atMs,
    }
    return { lead_results: stringifyLeadResults(random, buildLeadResultItems(random, context)) }
  },
  payments: (random) => ({
    payment_success: random.chance(0.85),
    payment_amount: random.int(1_000, 2_500_000),
    payment_description: optional(random, random.pick(words.PAYMENT_DESCRIPTIONS)),
  }),
}
