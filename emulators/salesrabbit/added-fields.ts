import { z } from 'zod'
import { ADDED_NULL_SHARE, hundredthsFor, integerFor, textFor } from '../shared/added-values.ts'
import type { Random } from '../shared/random.ts'

/**
 * Top-level fields `POST /_admin/alter` added to leads or users: every record the API returns
 * carries them (null until a record is touched), in the alphabetical key order the real API
 * answers with.
 */
export const FIELD_TYPES = ['string', 'integer', 'number', 'boolean'] as const

export interface AddedField {
  readonly name: string
  readonly type: (typeof FIELD_TYPES)[number]
}

const SCHEMAS = {
  string: z.string(),
  integer: z.number().int(),
  number: z.number(),
  boolean: z.boolean(),
} as const

/** what a mutate `set` or insert may give for the added fields: each optional, null allowed */
export function addedShape(fields: readonly AddedField[]): Record<string, z.ZodType> {
  return Object.fromEntries(fields.map((f) => [f.name, SCHEMAS[f.type].nullable().optional()]))
}

/** one record's value for an added field: realistic for its name and type, about one in ten null */
export function addedValue(field: AddedField, random: Random): string | number | boolean | null {
  if (random.chance(ADDED_NULL_SHARE)) return null
  switch (field.type) {
    case 'string':
      return textFor(field.name, random)
    case 'integer':
      return integerFor(field.name, random)
    case 'number':
      return hundredthsFor(field.name, random) / 100
    case 'boolean':
      return random.chance(0.4)
  }
}

/** the record with `values` set, keys in alphabetical order as the API answers them */
export function withValues<T extends object>(record: T, values: Record<string, unknown>): T {
  const merged: Record<string, unknown> = { ...record, ...values }
  const sorted: Record<string, unknown> = {}
  for (const key of Object.keys(merged).sort()) sorted[key] = merged[key]
  return sorted as T
}
