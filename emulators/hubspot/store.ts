import type { Random } from '../shared/random.ts'
import { createAssociationStore, type AssociationStore } from './associations.ts'
import { OBJECT_SPECS, type ObjectSpec } from './object-types.ts'
import { isoMs, type GenContext, type PropertyDef } from './property-kit.ts'

/** One CRM record as the emulator holds it; property values are already wire strings. */
export interface HsRecord {
  readonly id: number
  properties: Record<string, string | null>
  createdAt: string
  updatedAt: string
  archived: boolean
  archivedAt: string | null
  /** wall-clock ms of the last write: the search index lags behind it */
  writtenAt: number
}

export interface ObjectTable {
  readonly spec: ObjectSpec
  /**
   * the portal's property definitions for this object: the spec's, then any `POST /_admin/alter`
   * added (per store, so one emulator's new property never shows in another's)
   */
  readonly properties: PropertyDef[]
  readonly propertyIndex: Map<string, PropertyDef>
  /** ascending by id, archived records included (ids only grow, so appends keep the order) */
  readonly records: HsRecord[]
  readonly byId: Map<number, HsRecord>
  nextId: number
}

export interface Store {
  /** by stream name */
  readonly tables: Map<string, ObjectTable>
  readonly associations: AssociationStore
  readonly owners: string[]
  readonly divisions: { id: string; name: string; code: string }[]
  /** unique values (contact emails) */
  readonly taken: Set<string>
  /** bumped on every write, so cached search results know they are stale */
  version: number
}

export function createStore(): Store {
  const tables = new Map<string, ObjectTable>(
    OBJECT_SPECS.map((spec) => [
      spec.stream,
      {
        spec,
        properties: [...spec.properties],
        propertyIndex: new Map(spec.properties.map((p) => [p.name, p])),
        records: [],
        byId: new Map(),
        nextId: spec.idStart,
      },
    ]),
  )
  const associations = createAssociationStore()
  return { tables, associations, owners: [], divisions: [], taken: new Set(), version: 0 }
}

export function tableOf(store: Store, spec: ObjectSpec): ObjectTable {
  return store.tables.get(spec.stream)!
}

export function propertyOf(table: ObjectTable, name: string): PropertyDef | undefined {
  return table.propertyIndex.get(name)
}

/** a new portal property: listed last, as HubSpot lists a portal's newest property */
export function addProperty(table: ObjectTable, def: PropertyDef) {
  table.properties.push(def)
  table.propertyIndex.set(def.name, def)
}

export function genContext(store: Store, createdMs: number): GenContext {
  return { ownerIds: store.owners, divisions: store.divisions, createdMs, taken: store.taken }
}

/**
 * Creates one record with generated values. `createdMs`/`modifiedMs` are epoch ms; `values`
 * override generated ones (an admin insert with explicit properties).
 */
export function createRecord(
  store: Store,
  table: ObjectTable,
  r: Random,
  createdMs: number,
  modifiedMs: number,
  values: Record<string, string | null> = {},
): HsRecord {
  const { spec } = table
  const ctx = genContext(store, createdMs)
  const props: Record<string, string | null> = {}
  for (const def of table.properties) props[def.name] = def.gen ? def.gen(r, ctx) : null
  spec.derive?.(props, r, ctx, table.records.length)
  Object.assign(props, values)
  const id = table.nextId
  table.nextId += r.int(1, spec.idStep)
  const record: HsRecord = {
    id,
    properties: props,
    createdAt: isoMs(createdMs),
    updatedAt: isoMs(modifiedMs),
    archived: false,
    archivedAt: null,
    writtenAt: 0,
  }
  stampSystem(spec, record)
  table.records.push(record)
  table.byId.set(id, record)
  store.version++
  return record
}

/** mirrors createdAt/updatedAt and the id into the system properties that carry them */
export function stampSystem(spec: ObjectSpec, record: HsRecord) {
  if (!spec.createdProperty || !spec.modifiedProperty) return // owners keep timestamps outside properties
  const props = record.properties
  props.hs_object_id = String(record.id)
  props[spec.createdProperty] = record.createdAt
  props[spec.modifiedProperty] = record.updatedAt
  // deals and companies carry HubSpot's older `createdate` beside `hs_createdate`
  if (spec.createdProperty === 'hs_createdate' && 'createdate' in props) props.createdate = record.createdAt
}

/** a write: new modified time, visible to list/get at once and to search after the index lag */
export function touch(store: Store, table: ObjectTable, record: HsRecord, modifiedIso: string) {
  record.updatedAt = modifiedIso
  if (record.createdAt > modifiedIso) record.createdAt = modifiedIso
  stampSystem(table.spec, record)
  record.writtenAt = Date.now()
  store.version++
}

/** what other records need to know about a division */
export const divisionRef = ({ id, properties: p }: HsRecord) => ({
  id: String(id),
  name: p.division_name ?? '',
  code: p.division_code ?? '',
})

/** index of the first record with id ≥ `id` */
export function lowerBound(records: readonly HsRecord[], id: number): number {
  let lo = 0
  let hi = records.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (records[mid].id < id) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** up to `limit` records from id `after` on that pass `keep`, and the first of the next page */
export function pageFrom(
  records: readonly HsRecord[],
  after: number,
  limit: number,
  keep: (r: HsRecord) => boolean,
): { page: HsRecord[]; next: HsRecord | undefined } {
  const page: HsRecord[] = []
  for (let i = lowerBound(records, after); i < records.length; i++) {
    if (!keep(records[i])) continue
    if (page.length === limit) return { page, next: records[i] }
    page.push(records[i])
  }
  return { page, next: undefined }
}

export function isLive(table: ObjectTable, id: number): boolean {
  const record = table.byId.get(id)
  return record !== undefined && !record.archived
}

export function liveCount(table: ObjectTable): number {
  let n = 0
  for (const record of table.records) if (!record.archived) n++
  return n
}
