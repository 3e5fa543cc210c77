import type { Random } from '../shared/random.ts'
import { appointmentFor, phoneFor, pickOwner, weightedStatus } from './lead-fields.ts'
import { userDisplayName, type Lead, type User } from './records.ts'
import { CUSTOM_FIELDS, NOTES, OFFICES, ROLES, TEAMS, TERRITORIES, UNITS } from './vocabulary.ts'

/**
 * What a rep's day does to a lead: a new disposition, a note, a corrected phone number, a handover
 * to another rep. One to three of these per update. The caller stamps dateModified (and
 * statusModified / ownerModified when status / owner change).
 */
export function randomLeadChange(
  random: Random,
  lead: Lead,
  users: readonly User[],
  atMs: number,
): Partial<Lead> {
  const changes: ((set: Partial<Lead>) => void)[] = [
    (set) => {
      let status = weightedStatus(random)
      for (let i = 0; status === lead.status && i < 5; i++) status = weightedStatus(random)
      if (status === lead.status) status = lead.status === 'Lead' ? 'Not Home' : 'Lead'
      set.status = status
      const appointment = appointmentFor(random, status, atMs)
      if (appointment !== lead.appointment) set.appointment = appointment
    },
    (set) => {
      const note = random.pick(NOTES)
      set.notes = lead.notes && random.chance(0.5) ? `${lead.notes}\n${note}` : note
    },
    (set) => {
      const territory = TERRITORIES.find((t) => t.state === lead.state) ?? TERRITORIES[0]
      set.phonePrimary = phoneFor(random, territory.areaCodes) || `(${territory.areaCodes[0]}) 555-0100`
    },
    (set) => {
      const owner = pickOwner(random, users)
      if (owner.id === lead.userId) return
      set.userId = owner.id
      set.userName = userDisplayName(owner)
    },
    (set) => {
      const [name, values] = random.pick(Object.entries(CUSTOM_FIELDS))
      set.customFields = { ...lead.customFields, [name]: random.pick(values) }
    },
    (set) => {
      set.street2 = lead.street2 ? '' : random.pick(UNITS)
    },
  ]
  const set: Partial<Lead> = {}
  for (const change of pickSome(random, changes, random.int(1, 3))) change(set)
  // the owner change can be a no-op (same rep drawn); a status change is never one
  if (Object.keys(set).length === 0) changes[0](set)
  return set
}

/** What happens to a rep: moves team or office, a promotion, a new phone, leaving the company. */
export function randomUserChange(random: Random, user: User): Partial<User> {
  const roll = random.next()
  if (roll < 0.25) return { team: random.pick(TEAMS.filter((t) => t !== user.team)) }
  if (roll < 0.45) return { office: random.pick(OFFICES.filter((o) => o !== user.office)) }
  if (roll < 0.6) return { role: random.pick(ROLES.filter((r) => r !== user.role)) }
  if (roll < 0.8) return { phone: `(801) ${random.int(200, 989)}-${random.chars(4, '0123456789')}` }
  return { active: !user.active }
}

function pickSome<T>(random: Random, items: readonly T[], count: number): T[] {
  const pool = [...items]
  const out: T[] = []
  while (out.length < count && pool.length > 0) out.push(pool.splice(random.int(0, pool.length - 1), 1)[0])
  return out
}
