import type { Random } from '../shared/random.ts'
import { ascii } from './generate-users.ts'
import type { User } from './records.ts'
import { formatDate, formatTimestamp } from './timestamps.ts'
import {
  CUSTOM_FIELDS,
  DIRECTIONS,
  EMAIL_DOMAINS,
  STATUS_WEIGHTS,
  STREET_NAMES,
  STREET_SUFFIXES,
} from './vocabulary.ts'

/**
 * One realistic value per lead field, drawn from a seeded Random: the generator and the admin
 * mutations share them, so a changed lead looks like a generated one.
 */

const DAY = 86_400_000

export function weightedStatus(random: Random): string {
  const total = STATUS_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0)
  let roll = random.next() * total
  for (const [status, weight] of STATUS_WEIGHTS) if ((roll -= weight) < 0) return status
  return STATUS_WEIGHTS[0][0]
}

const activeUsers = new WeakMap<readonly User[], User[]>()

/** most leads belong to an active rep; a few stay with reps who have left */
export function pickOwner(random: Random, users: readonly User[]): User {
  let active = activeUsers.get(users)
  if (!active) activeUsers.set(users, (active = users.filter((u) => u.active)))
  return random.chance(0.9) && active.length > 0 ? random.pick(active) : random.pick(users)
}

export function appointmentFor(random: Random, status: string, fromMs: number): string | null {
  const booked = status === 'Appointment Set' || (status === 'Customer' && random.chance(0.6))
  if (!booked) return random.chance(0.01) ? formatTimestamp(fromMs + 3 * DAY) : null
  const day = Math.floor(fromMs / DAY) * DAY + random.int(1, 14) * DAY
  return formatTimestamp(day + random.int(15, 26) * 1_800_000)
}

const CUSTOM_FIELD_ENTRIES = Object.entries(CUSTOM_FIELDS)

export function customFields(random: Random): Record<string, unknown> {
  if (random.chance(0.55)) return {}
  const fields: Record<string, unknown> = {}
  for (const [name, values] of CUSTOM_FIELD_ENTRIES) {
    if (random.chance(0.3)) fields[name] = random.pick(values)
  }
  return fields
}

export function phoneFor(random: Random, areaCodes: readonly string[]): string {
  const area = random.pick(areaCodes)
  const exchange = random.int(200, 989)
  const line = digits(random, 4)
  const roll = random.next()
  if (roll < 0.3) return ''
  if (roll < 0.85) return `(${area}) ${exchange}-${line}`
  if (roll < 0.93) return `${area}-${exchange}-${line}`
  return `+1 ${area} ${exchange} ${line}`
}

export function emailFor(random: Random, firstName: string, lastName: string): string {
  if (!firstName || random.chance(0.55)) return ''
  const local = random.chance(0.5) ? `${firstName[0]}.${lastName}` : `${firstName}${random.int(1, 99)}`
  const user = ascii(local.replace(/\./g, '_')).replace(/_/g, '.') || 'lead'
  const address = `${user}@${random.pick(EMAIL_DOMAINS)}`
  return random.chance(0.7) ? address.toLowerCase() : address
}

export function streetFor(random: Random): string {
  const number = random.int(1, 12_999)
  if (random.chance(0.15)) {
    // the Utah grid: "2163 N 2080 W"
    return `${number} ${random.pick(DIRECTIONS)} ${random.int(1, 99) * 20} ${random.pick(DIRECTIONS)}`
  }
  const direction = random.chance(0.25) ? `${random.pick(DIRECTIONS)} ` : ''
  return `${number} ${direction}${random.pick(STREET_NAMES)} ${random.pick(STREET_SUFFIXES)}`
}

/** 6 decimals from the mobile app, 8 from geocoded imports */
export function coordinate(random: Random, center: number): number {
  const decimals = random.chance(0.8) ? 6 : random.pick([7, 8])
  return Number((center + (random.next() - 0.5) * 0.12).toFixed(decimals))
}

export function filesFor(random: Random, id: number): { name: string; url: string }[] {
  return Array.from({ length: random.int(1, 2) }, (_, i) => {
    const name = random.pick(['roof-photo', 'contract', 'utility-bill', 'IMG_', 'signed agreement'])
    const stem = name.endsWith('_') ? `${name}${digits(random, 4)}` : name
    const file = `${stem}-${i + 1}.${random.pick(['jpg', 'pdf'])}`
    return { name: file, url: `https://files.salesrabbit.com/leads/${id}/${encodeURIComponent(file)}` }
  })
}

export function birthDate(random: Random): string {
  return formatDate(Date.UTC(random.int(1940, 2000), random.int(0, 11), random.int(1, 28)))
}

export const digits = (random: Random, length: number) => random.chars(length, '0123456789')
