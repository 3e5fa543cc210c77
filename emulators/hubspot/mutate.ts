import { z } from 'zod'
import { HttpError } from '../shared/http.ts'
import type { EmulatorState } from './context.ts'
import { linkNewRecord } from './links.ts'
import { DIVISIONS, findAdminSpec, OWNERS, type ObjectSpec } from './object-types.ts'
import {
  createRecord,
  divisionRef,
  genContext,
  propertyOf,
  tableOf,
  touch,
  type HsRecord,
  type ObjectTable,
} from './store.ts'
import { sample } from './tie.ts'

/**
 * `POST /_admin/mutate` on an object table. Updates change what people edit and bump the
 * modified time; deletes archive (HubSpot's delete is a soft delete); restores un-archive.
 * Random picks come from the emulator's seeded generator, so a replayed test picks the same rows.
 */
const id = z.union([z.string(), z.number()]).transform(String)
const value = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .transform((v) => (v === null ? null : String(v)))
const values = z.record(z.string(), value)
const count = z.number().int().nonnegative()

export const objectMutationSchema = z
  .object({
    table: z.string(),
    /** a number of random live records, or explicit changes */
    updates: z.union([count, z.array(z.object({ id, properties: values.default({}) }))]).optional(),
    inserts: z.union([count, z.array(z.object({ properties: values.default({}) }))]).optional(),
    /** archives */
    deletes: z.union([count, z.array(id)]).optional(),
    /** un-archives */
    restores: z.union([count, z.array(id)]).optional(),
    /** the modified time every change gets @default now */
    modifiedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()

export type ObjectMutation = z.infer<typeof objectMutationSchema>
type Values = Record<string, string | null>

export function mutateObjects(state: EmulatorState, input: ObjectMutation) {
  const spec = findAdminSpec(input.table)
  if (!spec) throw new HttpError(400, `unknown table ${input.table}`)
  const table = tableOf(state.store, spec)
  const at = new Date(input.modifiedAt ?? Date.now()).toISOString()
  const r = state.random
  const pick = (archived: boolean, n: number) =>
    sample(table.records.filter((rec) => rec.archived === archived), n, r).map((rec) => String(rec.id))

  const updated: Array<{ id: string; properties: Values }> = []
  const updates: Array<{ id: string; properties?: Values }> =
    typeof input.updates === 'number'
      ? pick(false, input.updates).map((id) => ({ id }))
      : (input.updates ?? [])
  for (const update of updates) {
    const record = requireRecord(table, update.id)
    const changed = update.properties
      ? checked(table, update.properties)
      : randomChanges(state, table, record)
    Object.assign(record.properties, changed)
    touch(state.store, table, record, at)
    updated.push({ id: String(record.id), properties: { ...changed, ...stamps(spec, record) } })
  }

  const inserted: Array<{ id: string; properties: Values }> = []
  const inserts: Values[] =
    typeof input.inserts === 'number'
      ? Array.from({ length: input.inserts }, () => ({}))
      : (input.inserts ?? []).map((insert) => checked(table, insert.properties))
  for (const values of inserts) {
    const record = insertRecord(state, table, at, values)
    inserted.push({ id: String(record.id), properties: { ...record.properties } })
  }

  const deleted: string[] = []
  const deletes = typeof input.deletes === 'number' ? pick(false, input.deletes) : (input.deletes ?? [])
  for (const deleteId of deletes) {
    const record = requireRecord(table, deleteId)
    if (record.archived) continue
    record.archived = true
    record.archivedAt = at
    record.writtenAt = Date.now()
    state.store.version++
    deleted.push(String(record.id))
  }

  const restored: string[] = []
  const restores = typeof input.restores === 'number' ? pick(true, input.restores) : (input.restores ?? [])
  for (const restoreId of restores) {
    const record = requireRecord(table, restoreId)
    if (!record.archived) continue
    record.archived = false
    record.archivedAt = null
    touch(state.store, table, record, at)
    restored.push(String(record.id))
  }
  return { table: spec.stream, updated, inserted, deleted, restored }
}

function insertRecord(state: EmulatorState, table: ObjectTable, at: string, values: Values): HsRecord {
  const { store, random: r } = state
  const atMs = Date.parse(at)
  const record = createRecord(store, table, r, atMs, atMs, values)
  record.writtenAt = Date.now()
  linkNewRecord(store, table.spec, record, r)
  // later records point at new divisions and owners too
  if (table.spec === DIVISIONS) store.divisions.push(divisionRef(record))
  if (table.spec === OWNERS) store.owners.push(String(record.id))
  return record
}

function requireRecord(table: ObjectTable, rawId: string): HsRecord {
  const record = /^\d+$/.test(rawId) ? table.byId.get(Number(rawId)) : undefined
  if (!record) throw new HttpError(404, `no ${table.spec.stream} record ${rawId}`)
  return record
}

/** explicit values must name real properties and never the system ones the emulator owns */
function checked(table: ObjectTable, values: Values): Values {
  for (const name of Object.keys(values)) {
    const def = propertyOf(table, name)
    if (!def) throw new HttpError(400, `${table.spec.stream} has no property ${name}`)
    if (def.system) throw new HttpError(400, `${name} is set by the emulator; use modifiedAt`)
  }
  return values
}

/** one to three of the properties people edit, with fresh values */
function randomChanges(state: EmulatorState, table: ObjectTable, record: HsRecord): Values {
  const r = state.random
  const ctx = genContext(state.store, Date.parse(record.createdAt))
  const changed: Values = {}
  for (const name of sample(table.spec.updatable, r.int(1, 3), r)) {
    const def = propertyOf(table, name)
    if (def?.gen) changed[name] = def.gen(r, ctx)
  }
  return changed
}

/** the modified time a change answers with, under the name the object keeps it */
export function stamps(spec: ObjectSpec, record: HsRecord): Values {
  const name = spec.modifiedProperty
  return name ? { [name]: record.properties[name] } : { updatedAt: record.updatedAt }
}
