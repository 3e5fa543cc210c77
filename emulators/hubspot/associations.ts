import { APPOINTMENTS, COMPANIES, CONTACTS, DEALS, DIVISIONS, type ObjectSpec } from './object-types.ts'

/** One `associationTypes` entry of a v4 answer. */
export interface AssociationType {
  readonly category: 'HUBSPOT_DEFINED' | 'USER_DEFINED'
  readonly typeId: number
  readonly label: string | null
}

/**
 * One kind of link between two object types. `table` is the crmsync stream name; `from` is the
 * side it is named after, which is also the side a pair is counted from.
 */
export interface AssociationKind {
  readonly table: string
  readonly from: ObjectSpec
  readonly to: ObjectSpec
  /** types reported when reading from → to */
  readonly forward: readonly AssociationType[]
  /** types reported when reading to → from */
  readonly backward: readonly AssociationType[]
}

const hs = (typeId: number, label: string | null = null): AssociationType => ({
  category: 'HUBSPOT_DEFINED',
  typeId,
  label,
})
const user = (typeId: number): AssociationType => ({ category: 'USER_DEFINED', typeId, label: null })

export const ASSOCIATION_KINDS: readonly AssociationKind[] = [
  {
    table: 'assoc_contact_appointment',
    from: CONTACTS,
    to: APPOINTMENTS,
    forward: [hs(907)],
    backward: [hs(906)],
  },
  // custom-object links are defined by the portal, so HubSpot reports them as USER_DEFINED
  {
    table: 'assoc_contact_division',
    from: CONTACTS,
    to: DIVISIONS,
    forward: [user(89)],
    backward: [user(90)],
  },
  { table: 'assoc_deal_contact', from: DEALS, to: CONTACTS, forward: [hs(3)], backward: [hs(4)] },
  // a deal's only company is its primary one: HubSpot then reports the labelled and the plain type
  {
    table: 'assoc_deal_company',
    from: DEALS,
    to: COMPANIES,
    forward: [hs(5, 'Primary'), hs(341)],
    backward: [hs(6, 'Primary'), hs(342)],
  },
]

/** Both directions of every kind, so deal→contact and contact→deal read the same pairs. */
export interface AssociationStore {
  /** kind table → from id → to ids */
  readonly forward: Map<string, Map<number, Set<number>>>
  /** kind table → to id → from ids */
  readonly backward: Map<string, Map<number, Set<number>>>
}

export function createAssociationStore(): AssociationStore {
  const forward = new Map(ASSOCIATION_KINDS.map((k) => [k.table, new Map<number, Set<number>>()]))
  const backward = new Map(ASSOCIATION_KINDS.map((k) => [k.table, new Map<number, Set<number>>()]))
  return { forward, backward }
}

const add = (index: Map<number, Set<number>>, a: number, b: number) => {
  let set = index.get(a)
  if (!set) index.set(a, (set = new Set()))
  if (set.has(b)) return false
  set.add(b)
  return true
}

const remove = (index: Map<number, Set<number>>, a: number, b: number) => {
  const set = index.get(a)
  if (!set?.delete(b)) return false
  if (set.size === 0) index.delete(a)
  return true
}

/** true when the pair was new */
export function associate(store: AssociationStore, kind: AssociationKind, fromId: number, toId: number) {
  add(store.backward.get(kind.table)!, toId, fromId)
  return add(store.forward.get(kind.table)!, fromId, toId)
}

/** true when the pair existed */
export function dissociate(store: AssociationStore, kind: AssociationKind, fromId: number, toId: number) {
  remove(store.backward.get(kind.table)!, toId, fromId)
  return remove(store.forward.get(kind.table)!, fromId, toId)
}

/** the kind linking two object types, and whether the request reads it backwards */
export function findKind(from: ObjectSpec, to: ObjectSpec) {
  for (const kind of ASSOCIATION_KINDS) {
    if (kind.from === from && kind.to === to) return { kind, reversed: false }
    if (kind.from === to && kind.to === from) return { kind, reversed: true }
  }
  return undefined
}

/** ids linked to `id`, ascending; the caller filters out archived ends */
export function linkedIds(store: AssociationStore, kind: AssociationKind, reversed: boolean, id: number) {
  const index = (reversed ? store.backward : store.forward).get(kind.table)!
  return [...(index.get(id) ?? [])].sort((a, b) => a - b)
}

export function allPairs(store: AssociationStore, kind: AssociationKind): Array<[number, number]> {
  const pairs: Array<[number, number]> = []
  for (const [from, tos] of store.forward.get(kind.table)!) for (const to of tos) pairs.push([from, to])
  return pairs
}
