import { createRandom, deriveSeed } from '../shared/random.ts'
import { linkNewRecord } from './links.ts'
import {
  APPOINTMENTS,
  CONTACTS,
  DEALS,
  DIVISIONS,
  OBJECT_SPECS,
  OWNERS,
  type ObjectSpec,
} from './object-types.ts'
import { createRecord, createStore, divisionRef, tableOf, type Store } from './store.ts'
import { applyTie } from './tie.ts'

export interface DatasetOptions {
  /** number of contacts; the other objects follow in proportion */
  rows: number
  seed: number
  /** `size` records of `object` share one modified time `at` */
  tie: { size: number; object: ObjectSpec; at: string }
}

// records are created across these years and modified up to the end of October 2026
const FIRST_CREATED = Date.parse('2023-01-02T08:00:00.000Z')
const LAST_CREATED = Date.parse('2026-10-20T18:00:00.000Z')
const LAST_MODIFIED = Date.parse('2026-10-31T21:59:59.999Z')
// divisions and owners are set up before the portal starts collecting leads
const SETUP_START = Date.parse('2021-03-01T09:00:00.000Z')
const SETUP_END = Date.parse('2022-12-15T17:00:00.000Z')

/** a HubSpot month-end batch job's timestamp */
export const DEFAULT_TIE_AT = '2026-03-31T23:17:42.318Z'

export function countsFor(rows: number): Record<string, number> {
  return {
    divisions: 20,
    owners: 50,
    contacts: rows,
    companies: Math.round(rows / 5),
    deals: Math.round(rows / 3),
    appointments: Math.round(rows / 2),
    genius_users: 200,
  }
}

/** Builds the whole portal. Each table has its own seed: one table's size never shifts another's values. */
export function generateDataset(options: DatasetOptions): Store {
  const store = createStore()
  const counts = countsFor(options.rows)
  for (const spec of OBJECT_SPECS) {
    const r = createRandom(deriveSeed(options.seed, spec.stream))
    const table = tableOf(store, spec)
    const n = counts[spec.stream]
    const setup = spec === DIVISIONS || spec === OWNERS
    const [from, to] = setup ? [SETUP_START, SETUP_END] : [FIRST_CREATED, LAST_CREATED]
    for (let i = 0; i < n; i++) {
      // creation times grow with the index, so ids grow with creation
      const created = from + Math.floor(((i + r.next()) / n) * (to - from))
      // most edits come soon after creation; a long tail reaches the present
      const modified = created + Math.floor(r.next() ** 3 * (LAST_MODIFIED - created))
      createRecord(store, table, r, created, modified)
    }
    if (spec === DIVISIONS) store.divisions.push(...table.records.map(divisionRef))
    if (spec === OWNERS) store.owners.push(...table.records.map((o) => String(o.id)))
  }
  const r = createRandom(deriveSeed(options.seed, 'associations'))
  for (const spec of [CONTACTS, DEALS, APPOINTMENTS]) {
    for (const record of tableOf(store, spec).records) linkNewRecord(store, spec, record, r)
  }
  const { tie } = options
  const tieRandom = createRandom(deriveSeed(options.seed, 'tie'))
  if (tie.size > 0) applyTie(store, tie.object, tie.size, tie.at, tieRandom, false)
  return store
}
