import { createRandom, deriveSeed, type Random } from '../shared/random.ts'
import type { AddedField } from './added-fields.ts'
import { generateLeads } from './generate-leads.ts'
import { generateUsers } from './generate-users.ts'
import type { Lead, User } from './records.ts'
import { createTable, hashRank, type Table } from './table.ts'

/** Everything one emulator instance holds. */
export interface SalesRabbitStore {
  readonly leads: Table<Lead>
  readonly users: Table<User>
  /** fields `POST /_admin/alter` added, per resource, in the order they were added */
  readonly added: { readonly leads: AddedField[]; readonly users: AddedField[] }
  /** drives /_admin/mutate picks and new rows: the same calls on the same seed give the same data */
  readonly mutationRandom: Random
  /** drives the shared fault knobs' `rate` triggers */
  readonly faultRandom: Random
}

export function usersFor(rows: number): number {
  return Math.max(10, Math.round(rows / 100))
}

export function createStore(seed: number, rows: number): SalesRabbitStore {
  // independent streams, so a change to user generation does not reshuffle every lead
  const users = generateUsers(createRandom(deriveSeed(seed, 'users')), usersFor(rows))
  const leads = generateLeads(createRandom(deriveSeed(seed, 'leads')), rows, users)
  return {
    leads: createTable(leads, hashRank(deriveSeed(seed, 'lead-order'))),
    // users come back in id order; nothing says otherwise and it keeps the quirk easy to see
    users: createTable(users, (id) => id),
    added: { leads: [], users: [] },
    mutationRandom: createRandom(deriveSeed(seed, 'mutate')),
    faultRandom: createRandom(deriveSeed(seed, 'faults')),
  }
}
