import type { AlterPlan } from './plan-chaos.ts'

/**
 * What the harness changed of a source's shape, as far as the emulator accepted it: per table
 * (SalesPro) or stream, per field. The judge reads it to know which fields the source added
 * (and their types over time), which it dropped, and since when a row may lag behind.
 */
export interface FieldHistory {
  /** the source's types of a field the harness added, oldest first; empty for a declared field */
  types: string[]
  dropped: boolean
  /** when the source last changed the field's shape, as the source stamps rows (ms) */
  changedAtMs: number
}

export type SchemaLog = Map<string, Map<string, FieldHistory>>

/** How a stream's shape changed: its fields' histories, and whether the comparison follows a `--full` run. */
export interface ShapeChanges {
  fields?: ReadonlyMap<string, FieldHistory>
  full: boolean
}

export function recordAlter(log: SchemaLog, table: string, alter: AlterPlan, atMs: number): void {
  if (!log.has(table)) log.set(table, new Map())
  const fields = log.get(table) as Map<string, FieldHistory>
  const field = (name: string) => {
    // a field the harness did not add is one the stream declares
    if (!fields.has(name)) fields.set(name, { types: [], dropped: false, changedAtMs: atMs })
    const f = fields.get(name) as FieldHistory
    f.changedAtMs = atMs
    return f
  }
  for (const { name, type } of alter.add)
    fields.set(name, { types: [type], dropped: false, changedAtMs: atMs })
  for (const { name, type } of alter.retype) {
    const f = field(name)
    if (f.types.length) f.types.push(type)
  }
  for (const name of alter.drop) field(name).dropped = true
}

/**
 * The fields a row may still hold as a read before the change saw them: those whose shape the
 * source changed after the row's last modification (an incremental read never meets the row
 * again). None after a `--full` run, which reads every row again.
 */
export function laggingFields(
  fields: ReadonlyMap<string, FieldHistory> | undefined,
  modifiedMs: number | undefined,
  full: boolean,
): string[] {
  if (!fields || full) return []
  return [...fields]
    .filter(([, f]) => modifiedMs === undefined || modifiedMs < f.changedAtMs)
    .map(([name]) => name)
}

/** The record without `names` (HubSpot: without those properties), for comparing what may lag. */
export function withoutFields(record: unknown, names: readonly string[], nested?: 'properties'): unknown {
  if (names.length === 0 || typeof record !== 'object' || record === null) return record
  const copy = { ...(record as Record<string, unknown>) }
  const target = nested ? { ...(copy[nested] as Record<string, unknown>) } : copy
  for (const name of names) delete target[name]
  if (nested) copy[nested] = target
  return copy
}

/** `customer: +loyalty_tier VARCHAR, ~nps_score VARCHAR, -crm_source, touch 5` */
export function describeAlter(table: string, alter: AlterPlan): string {
  const parts = [
    ...alter.add.map((c) => `+${c.name} ${c.type}`),
    ...alter.retype.map((c) => `~${c.name} ${c.type}`),
    ...alter.drop.map((name) => `-${name}`),
  ]
  return `${table}: ${parts.join(', ')}, touch ${alter.touch}`
}
