import { z } from 'zod'
import { HttpError } from '../shared/http.ts'
import type { Random } from '../shared/random.ts'
import { addedShape, addedValue, withValues, type AddedField } from './added-fields.ts'
import { makeLead } from './generate-leads.ts'
import { makeUser } from './generate-users.ts'
import { randomLeadChange, randomUserChange } from './random-changes.ts'
import { leadSchema, userDisplayName, userSchema, type Lead, type User } from './records.ts'
import type { SalesRabbitStore } from './store.ts'
import type { Row, Table } from './table.ts'
import { formatTimestamp } from './timestamps.ts'

/** How /_admin/mutate changes one table; `at` is a stored-form timestamp, `atMs` the same instant. */
export interface TableOps<T extends Row> {
  readonly table: Table<T>
  /** validates and normalises a caller's `set` (timestamps to the stored form) */
  parseSet(set: unknown): Partial<T>
  /** validates a caller's insert; missing fields are generated */
  parseInsert(record: unknown): Partial<T>
  randomChange(row: T, atMs: number): Partial<T>
  /** the row after `set`, with the modification stamps a real change would get */
  apply(row: T, set: Partial<T>, at: string): T
  /** a new row created at `atMs`; fields in `given` win over generated ones */
  create(id: number, atMs: number, given: Partial<T>): T
  nextId(previous: number): number
  /** whether a row can still be deleted */
  isLive(row: T): boolean
  remove(row: T, at: string): T
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new HttpError(400, `invalid ${what}: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

const leadSet = leadSchema.omit({ id: true }).partial().strict()
const leadInsert = leadSchema.partial().strict()
const userSet = userSchema.omit({ id: true }).partial().strict()
const userInsert = userSchema.partial().strict()

/** the fields `POST /_admin/alter` added, set on a new row: generated unless `given` names them */
function addedValues(fields: readonly AddedField[], random: Random, given: object): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const field of fields) {
    if (!Object.hasOwn(given, field.name)) values[field.name] = addedValue(field, random)
  }
  return values
}

export function leadOps(store: SalesRabbitStore): TableOps<Lead> {
  const random = store.mutationRandom
  const users = () => [...store.users.rows.values()]
  const added = store.added.leads
  const extra = addedShape(added)
  // a lead's owner must exist: the API denormalises the owner's name onto the lead
  const withKnownOwner = (lead: Partial<Lead>) => {
    if (lead.userId !== undefined && !store.users.rows.has(lead.userId)) {
      throw new HttpError(400, `no user ${lead.userId} to own a lead`)
    }
    return lead
  }
  return {
    table: store.leads,
    parseSet: (set) => withKnownOwner(parseWith(leadSet.extend(extra), set, 'lead update')),
    parseInsert: (record) => withKnownOwner(parseWith(leadInsert.extend(extra), record, 'lead insert')),
    randomChange: (lead, atMs) => randomLeadChange(random, lead, users(), atMs),
    apply(lead, set, at) {
      const next: Lead = { ...lead, ...set, dateModified: set.dateModified ?? at }
      if (set.status !== undefined && set.status !== lead.status) {
        next.statusModified = set.statusModified ?? at
      }
      if (set.userId !== undefined && set.userId !== lead.userId) {
        next.userName = set.userName ?? userDisplayName(store.users.rows.get(set.userId)!)
        next.ownerModified = set.ownerModified ?? at
      }
      return next
    },
    create(id, atMs, given) {
      const times = { created: atMs, modified: atMs, statusModified: atMs, ownerModified: atMs }
      const lead = { ...makeLead(random, id, times, users()), ...given, id }
      if (given.userId !== undefined && given.userName === undefined) {
        lead.userName = userDisplayName(store.users.rows.get(given.userId)!)
      }
      return added.length > 0 ? withValues(lead, addedValues(added, random, given)) : lead
    },
    nextId: (previous) => previous + (random.chance(0.6) ? 10 : random.int(1, 90)),
    isLive: (lead) => lead.deletedAt === '',
    // a soft delete: the API keeps returning the lead, with deletedAt set
    remove: (lead, at) => ({ ...lead, deletedAt: at, dateModified: at }),
  }
}

export function userOps(store: SalesRabbitStore): TableOps<User> {
  const random = store.mutationRandom
  const added = store.added.users
  const extra = addedShape(added)
  return {
    table: store.users,
    parseSet: (set) => parseWith(userSet.extend(extra), set, 'user update'),
    parseInsert: (record) => parseWith(userInsert.extend(extra), record, 'user insert'),
    randomChange: (user) => randomUserChange(random, user),
    apply: (user, set, at) => ({ ...user, ...set, dateModified: set.dateModified ?? at }),
    create(id, atMs, given) {
      const user = makeUser(random, id, atMs, [...store.users.rows.values()])
      const at = formatTimestamp(atMs)
      const row = { ...user, active: true, dateCreated: at, dateModified: at, ...given, id }
      return added.length > 0 ? withValues(row, addedValues(added, random, given)) : row
    },
    nextId: (previous) => previous + 1,
    isLive: (user) => user.active,
    // SalesRabbit deactivates reps rather than deleting them; the user stays listed, inactive
    remove: (user, at) => ({ ...user, active: false, dateModified: at }),
  }
}
