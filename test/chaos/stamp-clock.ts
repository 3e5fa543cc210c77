/**
 * The source's clock during a scenario. Skew: the source runs `skewMs` behind the sync's clock,
 * so every change is stamped in the sync's past (late, as seen by the sync). Kept within the
 * connector's lookback: skew beyond the lookback is a documented limit of incremental reads, not
 * a bug (DESIGN.md §3.3).
 *
 * Changes to EXISTING records are stamped at or after every stamp used before, so a record's
 * modification time never goes backwards (the merge rightly refuses an older version over a
 * newer one: a record whose stamp moved back would never converge, by design). Only NEW records
 * may be stamped further in the past (`late`): rows that become visible after the sync's cursor
 * has passed their time, which the lookback must catch.
 */
export interface StampClock {
  /** a stamp for changes to existing records: the source's now, never before an earlier stamp */
  next(): number
  /** a stamp `lateMs` before the source's now, for new records only */
  late(lateMs: number): number
}

// the emulators' seeded data ends on 2026-10-31: scenario changes must be newer than all of it
const FLOOR_MS = Date.UTC(2026, 10, 1)

export function createStampClock(skewMs: number): StampClock {
  let newest = 0
  const sourceNow = () => Math.max(Date.now() - skewMs, FLOOR_MS)
  return {
    next() {
      newest = Math.max(newest, sourceNow())
      return newest
    },
    late: (lateMs) => Math.max(sourceNow() - lateMs, FLOOR_MS),
  }
}

/** `YYYY-MM-DD HH:MM:SS.fff`: the SalesPro (Athena) emulator's `at` */
export const athenaStamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23)
export const isoStamp = (ms: number) => new Date(ms).toISOString()
