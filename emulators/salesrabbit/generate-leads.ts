import type { Random } from '../shared/random.ts'
import {
  appointmentFor,
  birthDate,
  coordinate,
  customFields,
  digits,
  emailFor,
  filesFor,
  phoneFor,
  pickOwner,
  streetFor,
  weightedStatus,
} from './lead-fields.ts'
import { userDisplayName, type Lead, type User } from './records.ts'
import { formatTimestamp } from './timestamps.ts'
import { BUSINESS_NAMES, CAMPAIGN_IDS, FIRST_NAMES, LAST_NAMES, NOTES, TERRITORIES, UNITS } from './vocabulary.ts'

export const DATA_START = Date.UTC(2023, 0, 1)
export const DATA_END = Date.UTC(2026, 9, 31, 23, 59, 59)
const DAY = 86_400_000

/** When a lead was created and last touched; all four are stored at second precision. */
export interface LeadTimes {
  created: number
  modified: number
  statusModified: number
  ownerModified: number
}

/**
 * The seeded lead table. Ids grow with creation time but with gaps (the real ids step by ten or
 * so), imports create whole batches in one second, and a few bulk reassignments re-stamped large
 * groups with one dateModified, so ties at second precision are everywhere, as in the real data.
 */
export function generateLeads(random: Random, count: number, users: readonly User[]): Lead[] {
  const bulkStamps = Array.from({ length: Math.max(3, Math.ceil(count / 200)) }, () =>
    Math.floor((DATA_START + 30 * DAY + random.next() * (DATA_END - DATA_START - 30 * DAY)) / 1000) * 1000,
  ).sort((a, b) => a - b)
  const leads: Lead[] = []
  let id = random.int(1, 30)
  let batchLeft = 0
  let batchStamp = 0
  for (let i = 0; i < count; i++) {
    if (batchLeft === 0 && random.chance(0.03)) [batchLeft, batchStamp] = [random.int(5, 40), 0]
    const spread = DATA_START + (i / Math.max(1, count)) * (DATA_END - DATA_START - 7 * DAY)
    let created = spread + random.next() * 2 * DAY
    if (batchLeft > 0) {
      batchStamp ||= created
      created = batchStamp
      batchLeft--
    }
    leads.push(makeLead(random, id, seededTimes(random, created, bulkStamps), users))
    id += random.chance(0.6) ? 10 : random.int(1, 90)
  }
  return leads
}

function seededTimes(random: Random, createdMs: number, bulkStamps: readonly number[]): LeadTimes {
  const created = Math.floor(createdMs / 1000) * 1000
  const roll = random.next()
  const firstLater = firstAtOrAfter(bulkStamps, created)
  if (roll < 0.35) return { created, modified: created, statusModified: created, ownerModified: created }
  if (roll < 0.6 && firstLater >= 0) {
    // a bulk reassignment: owner and dateModified change together, the status does not
    const modified = bulkStamps[random.int(firstLater, bulkStamps.length - 1)]
    const statusModified = between(random, created, modified, 0.6)
    return { created, modified, statusModified, ownerModified: modified }
  }
  const modified = between(random, created, DATA_END, 0)
  return {
    created,
    modified,
    statusModified: between(random, created, modified, 0.5),
    ownerModified: random.chance(0.8) ? created : modified,
  }
}

/** index of the first sorted stamp >= `ms`, or -1 */
function firstAtOrAfter(sorted: readonly number[], ms: number): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (sorted[mid] < ms) low = mid + 1
    else high = mid
  }
  return low < sorted.length ? low : -1
}

/** a second between `from` and `to`; `pFrom` of the time exactly `from` */
function between(random: Random, from: number, to: number, pFrom: number): number {
  if (random.chance(pFrom) || to <= from) return from
  return Math.floor((from + random.next() * (to - from)) / 1000) * 1000
}

/** One lead with realistic gaps: empty strings where reps skip fields, nulls where the API uses them. */
export function makeLead(random: Random, id: number, times: LeadTimes, users: readonly User[]): Lead {
  const territory = random.pick(TERRITORIES)
  const anonymous = random.chance(0.07)
  const firstName = anonymous ? '' : random.pick(FIRST_NAMES)
  const lastName = anonymous ? '' : random.pick(LAST_NAMES)
  const status = weightedStatus(random)
  const owner = pickOwner(random, users)
  const located = random.chance(0.97)
  return {
    appointment: appointmentFor(random, status, times.statusModified),
    businessName: random.chance(0.06) ? random.pick(BUSINESS_NAMES) : '',
    campaignId: random.chance(0.4) ? random.pick(CAMPAIGN_IDS) : null,
    city: random.chance(0.02) ? '' : territory.city,
    country: random.chance(0.01) ? '' : 'USA',
    customFields: customFields(random),
    dateCreated: formatTimestamp(times.created),
    dateModified: formatTimestamp(times.modified),
    dateOfBirth: random.chance(0.05) ? birthDate(random) : null,
    deletedAt: '',
    email: emailFor(random, firstName, lastName),
    files: random.chance(0.08) ? filesFor(random, id) : [],
    firstName,
    id,
    lastName,
    latitude: located ? coordinate(random, territory.lat) : null,
    longitude: located ? coordinate(random, territory.lng) : null,
    notes: random.chance(0.4) ? random.pick(NOTES) : null,
    ownerModified: formatTimestamp(times.ownerModified),
    // the alternate number is typed bare, the way reps enter it
    phoneAlternate: random.chance(0.12) ? `${random.pick(territory.areaCodes)}${digits(random, 7)}` : '',
    phonePrimary: phoneFor(random, territory.areaCodes),
    state: territory.state,
    status,
    statusModified: formatTimestamp(times.statusModified),
    street1: located || random.chance(0.5) ? streetFor(random) : '',
    street2: random.chance(0.07) ? random.pick(UNITS) : '',
    userId: owner.id,
    userName: userDisplayName(owner),
    zip: territory.zip.startsWith('0') && random.chance(0.3) ? territory.zip.slice(1) : territory.zip,
  }
}
