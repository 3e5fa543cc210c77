import type { Random } from '../shared/random.ts'
import { ASSOCIATION_KINDS, associate, type AssociationKind } from './associations.ts'
import { APPOINTMENTS, COMPANIES, CONTACTS, DEALS, type ObjectSpec } from './object-types.ts'
import { tableOf, type HsRecord, type ObjectTable, type Store } from './store.ts'

const kind = (table: string): AssociationKind => ASSOCIATION_KINDS.find((k) => k.table === table)!

/**
 * Gives a new record the links its type always has: a contact its division, an appointment its
 * contact, a deal one to three contacts and usually a company. Partners are picked among records
 * that already existed, mostly recent ones, the way new deals follow new leads.
 */
export function linkNewRecord(store: Store, spec: ObjectSpec, record: HsRecord, r: Random) {
  if (spec === CONTACTS) {
    const division = store.divisions.find((d) => d.name === record.properties.division)
    if (division) {
      associate(store.associations, kind('assoc_contact_division'), record.id, Number(division.id))
    }
  } else if (spec === APPOINTMENTS) {
    const contact = pickEarlier(tableOf(store, CONTACTS), record, r)
    if (contact) associate(store.associations, kind('assoc_contact_appointment'), contact.id, record.id)
  } else if (spec === DEALS) {
    const contacts = tableOf(store, CONTACTS)
    for (let n = r.int(1, 3); n > 0; n--) {
      const contact = pickEarlier(contacts, record, r)
      if (contact) associate(store.associations, kind('assoc_deal_contact'), record.id, contact.id)
    }
    const company = r.chance(0.7) ? pickEarlier(tableOf(store, COMPANIES), record, r) : undefined
    if (company) associate(store.associations, kind('assoc_deal_company'), record.id, company.id)
  }
}

/** a live record created no later than `record`, biased towards the most recent ones */
function pickEarlier(table: ObjectTable, record: HsRecord, r: Random): HsRecord | undefined {
  const { records } = table
  if (records.length === 0) return undefined
  let lo = 0
  let hi = records.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (records[mid].createdAt <= record.createdAt) lo = mid + 1
    else hi = mid
  }
  const count = lo || records.length
  const start = count - 1 - Math.floor(r.next() ** 2 * count)
  for (let i = start; i >= 0; i--) if (!records[i].archived) return records[i]
  for (let i = start + 1; i < records.length; i++) if (!records[i].archived) return records[i]
  return undefined
}
