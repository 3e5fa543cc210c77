import type { Random } from '../shared/random.ts'
import type { User } from './records.ts'
import { formatDate, formatTimestamp } from './timestamps.ts'
import {
  BUSINESS_UNITS,
  DEPARTMENTS,
  FIRST_NAMES,
  LAST_NAMES,
  OFFICES,
  REGIONS,
  ROLES,
  TEAMS,
  TERRITORIES,
} from './vocabulary.ts'

const ORG_ID = 4471
const USERS_START = Date.UTC(2022, 5, 1)
const USERS_END = Date.UTC(2026, 9, 31, 23, 59, 59)

/**
 * The sales team. Users are few (about one per hundred leads), ids are small and dense, and an
 * org-wide import gave many of them the same dateModified, to the second.
 */
export function generateUsers(random: Random, count: number): User[] {
  const importStamp = USERS_START + random.int(30, 200) * 86_400_000 + random.int(0, 86_399) * 1000
  const users: User[] = []
  for (let i = 0; i < count; i++) {
    const created = i < 2 ? USERS_START : USERS_START + random.next() * (USERS_END - USERS_START) * 0.8
    users.push(makeUser(random, i + 1, created, users))
    // an org-wide import re-saved a third of the team at one instant
    if (created <= importStamp && random.chance(0.35)) users[i].dateModified = formatTimestamp(importStamp)
  }
  if (users.length > 1) {
    // the admin test account that shows up as " Jamie AdminTest" on leads in the real data
    Object.assign(users[1], { firstName: '', lastName: 'Jamie AdminTest', role: 'Admin', team: null })
  }
  return users
}

/** One user created at `createdMs`; `colleagues` are the users already made (supervisors, recruiters). */
export function makeUser(random: Random, id: number, createdMs: number, colleagues: readonly User[]): User {
  const firstName = random.pick(FIRST_NAMES)
  const lastName = random.pick(LAST_NAMES)
  const later = createdMs + random.next() * Math.max(0, USERS_END - createdMs)
  const modified = random.chance(0.4) ? createdMs : later
  const leaders = colleagues.filter((u) => u.role === 'Manager' || u.role === 'Team Lead')
  const territory = random.pick(TERRITORIES)
  const digits = (length: number) => random.chars(length, '0123456789')
  const exchange = random.int(200, 989)
  return {
    active: random.chance(0.85),
    businessUnit: random.chance(0.8) ? random.pick(BUSINESS_UNITS) : null,
    cmsId: random.chance(0.5) ? `CMS-${digits(5)}` : null,
    dateCreated: formatTimestamp(createdMs),
    dateModified: formatTimestamp(Math.max(createdMs, modified)),
    department: random.chance(0.7) ? random.pick(DEPARTMENTS) : null,
    email: `${ascii(firstName)}.${ascii(lastName)}${id}@example-solar.com`.toLowerCase(),
    externalIds: random.chance(0.3) ? { hubspotOwnerId: digits(8) } : {},
    firstName,
    hireDate: random.chance(0.75) ? formatDate(createdMs - random.int(0, 60) * 86_400_000) : null,
    id,
    lastName,
    leadRepCmsId: random.chance(0.3) ? `LR${digits(6)}` : null,
    office: random.chance(0.9) ? random.pick(OFFICES) : null,
    orgId: ORG_ID,
    phone: random.chance(0.9) ? `(${random.pick(territory.areaCodes)}) ${exchange}-${digits(4)}` : '',
    photoUrl: random.chance(0.4) ? `https://cdn.salesrabbit.com/avatars/${ORG_ID}/${id}.jpg` : null,
    recruiterId: colleagues.length > 0 && random.chance(0.4) ? random.pick(colleagues).id : null,
    region: random.chance(0.8) ? random.pick(REGIONS) : null,
    role: id === 1 ? 'Owner' : random.pick(ROLES),
    supervisorId: leaders.length > 0 && random.chance(0.8) ? random.pick(leaders).id : null,
    team: random.chance(0.85) ? random.pick(TEAMS) : null,
  }
}

/** the ASCII skeleton of a name, for e-mail addresses ("Núñez" → "nunez", "O'Brien" → "obrien") */
export function ascii(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]/g, '')
}
