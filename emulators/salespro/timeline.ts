import type { Random } from '../shared/random.ts'

/** generated data spans 2023-01-01 … 2026-10-31 (UTC, millisecond precision) */
export const START_MS = Date.UTC(2023, 0, 1)
export const END_MS = Date.UTC(2026, 9, 31, 23, 59, 59, 999)
/** one "bulk import" moment that about 10% of every updatable table's rows share as updated_at */
export const BULK_MS = Date.UTC(2025, 5, 30, 23, 59, 59, 0)
const BULK_SHARE = 0.1
/** share of rows saved in the same instant as the table's previous row (small natural ties) */
const TIE_SHARE = 0.02

export interface Timestamps {
  created: number
  updated: number
}

/**
 * Per-table clock: draws created/updated pairs with created ≤ updated, a bulk-import moment and
 * small natural ties. One per table so a table's timestamps do not depend on the others.
 */
export interface TableClock {
  /** created at or after `notBefore`, then updated at or after that */
  next(notBefore?: number): Timestamps
}

export function createTableClock(random: Random, updatable: boolean): TableClock {
  let previousUpdated = -1
  return {
    next(notBefore = START_MS) {
      const from = Math.min(Math.max(notBefore, START_MS), END_MS)
      if (updatable && random.chance(BULK_SHARE)) {
        // the bulk import rewrote rows created before it; a child row it touched may then be
        // dated before its parent, which real migrated data shows too
        const created = between(random, from <= BULK_MS ? from : START_MS, BULK_MS)
        return { created, updated: BULK_MS }
      }
      // recent years hold more rows, as a growing business would
      const drawn = from + Math.floor(Math.sqrt(random.next()) * (END_MS - from))
      const created = Math.max(from, roundSometimes(random, drawn))
      if (!updatable) return { created, updated: created }
      if (previousUpdated >= created && random.chance(TIE_SHARE)) return { created, updated: previousUpdated }
      // most rows change soon after they are created, a few much later
      const later = () => created + Math.floor(random.next() ** 3 * (END_MS - created))
      const updated = random.chance(0.3) ? created : Math.max(created, roundSometimes(random, later()))
      previousUpdated = updated
      return { created, updated }
    },
  }
}

function between(random: Random, from: number, to: number): number {
  return from + Math.floor(random.next() * (to - from + 1))
}

/** some writers store whole seconds (.000), which also makes ties more likely */
function roundSometimes(random: Random, ms: number): number {
  return random.chance(0.15) ? ms - (ms % 1000) : ms
}

/** `YYYY-MM-DD HH:MM:SS.fff`, the Athena rendering of a timestamp(3) */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23)
}

const TIMESTAMP_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/

/** parses `YYYY-MM-DD HH:MM:SS[.fff]` as UTC; undefined when malformed */
export function parseTimestamp(text: string): number | undefined {
  const m = TIMESTAMP_PATTERN.exec(text)
  if (!m) return undefined
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? +m[7].padEnd(3, '0') : 0)
  return Number.isNaN(ms) || formatTimestamp(ms).slice(0, 19) !== text.slice(0, 19) ? undefined : ms
}
