import { z } from 'zod'
import { HttpError } from '../shared/http.ts'
import { addedValue, FIELD_TYPES, withValues, type AddedField } from './added-fields.ts'
import { defaultAt, pickLive } from './mutate.ts'
import { LEAD_KEYS, USER_KEYS } from './records.ts'
import type { SalesRabbitStore } from './store.ts'
import type { Row } from './table.ts'
import { leadOps, userOps, type TableOps } from './table-ops.ts'
import { timestampInput } from './timestamps.ts'

/**
 * `POST /_admin/alter`: SalesRabbit ships a new field. Every record of the resource gains it as a
 * top-level key (null), and the touched records get a value and a new dateModified, so a sync
 * reading with If-Modified-Since meets the field at once.
 */
export const alterSchema = z
  .object({
    resource: z.enum(['leads', 'users']),
    add: z
      .array(
        z
          .object({
            // the API's keys are camelCase
            name: z
              .string()
              .regex(
                /^[a-z][A-Za-z0-9]*$/,
                'a field name is camelCase: a lower-case letter, then letters and digits',
              ),
            type: z.enum(FIELD_TYPES),
          })
          .strict(),
      )
      .default([]),
    /** live records (seeded picks) that get values for the added fields and dateModified = at */
    touch: z.number().int().nonnegative().default(0),
    /** default now, never before the newest dateModified (as for /_admin/mutate) */
    at: timestampInput.optional(),
  })
  .strict()

export interface AlterResult {
  resource: 'leads' | 'users'
  added: string[]
  /** each touched record's id and its new values: the added fields and dateModified */
  touched: { key: string; values: Record<string, unknown> }[]
}

export function alterFields(store: SalesRabbitStore, body: unknown): AlterResult {
  const parsed = alterSchema.safeParse(body)
  if (!parsed.success) throw new HttpError(400, `invalid alter request: ${z.prettifyError(parsed.error)}`)
  const request = parsed.data
  const resource = request.resource
  const existing = new Set<string>([
    ...(resource === 'leads' ? LEAD_KEYS : USER_KEYS),
    ...store.added[resource].map((f) => f.name),
  ])
  const names = request.add.map((f) => f.name)
  const problems = [
    ...[...new Set(names.filter((name, i) => names.indexOf(name) !== i))].map(
      (name) => `${name} is named twice`,
    ),
    ...names.filter((name) => existing.has(name)).map((name) => `${resource} already have a field ${name}`),
  ]
  if (problems.length > 0) throw new HttpError(400, `invalid alter request: ${problems.join('; ')}`)

  // the ops are typed per table; the work below only needs the Row contract
  const ops = (resource === 'leads' ? leadOps(store) : userOps(store)) as unknown as TableOps<Row>
  const fields: AddedField[] = request.add
  store.added[resource].push(...fields)
  const unset = Object.fromEntries(fields.map((f) => [f.name, null]))
  if (fields.length > 0) {
    for (const [id, row] of ops.table.rows) ops.table.rows.set(id, withValues(row, unset))
  }

  const at = request.at ?? defaultAt(ops)
  const random = store.mutationRandom
  const touched = pickLive(random, ops, request.touch, new Set()).map((row) => {
    const values = Object.fromEntries(fields.map((f) => [f.name, addedValue(f, random)]))
    const next = ops.apply(row, values as Partial<Row>, at)
    ops.table.rows.set(row.id, next)
    return { key: String(row.id), values: { ...values, dateModified: next.dateModified } }
  })
  return { resource, added: names, touched }
}
