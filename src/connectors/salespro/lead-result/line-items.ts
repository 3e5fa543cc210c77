import type { LeadResultColumns } from './columns.ts'

/** One row of the line-item table, keyed by (estimate_id, job_type_number). */
export interface LeadResultLineItem {
  /** 1..6 on the legacy form; always 1 on the current form */
  job_type_number: number
  job_type: string
  /** decimal string like "8200.00", or null when no amount was given */
  job_type_amount: string | null
}

/** The legacy form numbers its job types "Job Type 1" .. "Job Type 6". */
export const LEGACY_JOB_TYPES = 6

/** Where a legacy answer is kept while reading: `job_type_3`, `job_type_3_amount`. */
export function lineItemSlot(number: number, field: 'type' | 'amount'): string {
  return field === 'type' ? `job_type_${number}` : `job_type_${number}_amount`
}

/**
 * Line items from one lead result.
 *
 * Legacy forms list up to six "Job Type N" / "Job Type N Amount" pairs; a pair counts when its
 * job type is filled in. The current form has one "Job Type" and prices the whole job, so it
 * becomes item 1 with the job size, else the customer's final price commitment, as its amount.
 * A form with legacy items never also yields the current-form item: the numbers would collide.
 *
 * @param legacy parsed legacy answers by slot (text for types, money for amounts)
 */
export function buildLineItems(
  legacy: ReadonlyMap<string, string>,
  columns: LeadResultColumns,
): LeadResultLineItem[] {
  const items: LeadResultLineItem[] = []
  for (let number = 1; number <= LEGACY_JOB_TYPES; number++) {
    const jobType = legacy.get(lineItemSlot(number, 'type'))
    if (jobType === undefined) continue
    items.push({
      job_type_number: number,
      job_type: jobType,
      job_type_amount: legacy.get(lineItemSlot(number, 'amount')) ?? null,
    })
  }
  if (items.length > 0 || columns.job_type === null) return items
  return [
    {
      job_type_number: 1,
      job_type: columns.job_type,
      job_type_amount: columns.job_size ?? columns.customers_final_price_commitment,
    },
  ]
}
