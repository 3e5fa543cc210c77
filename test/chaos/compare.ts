import { KEY_SEPARATOR } from './catalog.ts'
import { contentHash } from './canonical.ts'
import type { Expected, ExpectedRow } from './expected.ts'
import { withoutFields } from './schema-log.ts'
import type { StoredRows } from './warehouse-read.ts'

/** How one stream of the warehouse differs from its source; every list holds keys (or hashes). */
export interface StreamDiff {
  stream: string
  /** live at the source, not in the warehouse */
  lost: string[]
  /** live at the source, soft-deleted in the warehouse */
  wronglyDeleted: string[]
  /** in both, but the warehouse holds another version */
  stale: string[]
  /** deleted at the source (or gone from it), live in the warehouse */
  notDeleted: string[]
  /** keyless streams: more copies in the warehouse than at the source */
  duplicated: string[]
  /** malformed source records with no trace in crmsync.rejects */
  unrejected: string[]
  /** rows gone from the source that an incremental read cannot see, still live (allowed) */
  tolerated: number
  /** source fields with no column (`field → column`) */
  missingColumns: string[]
  /** columns whose type the source's types do not allow (`column: type, expected …`) */
  wrongTypes: string[]
  /** values that are not the source's as the column reads it, or unreadable ones not NULL with a `_meta` change */
  wrongValues: string[]
  /** rows equal to the source but for fields whose shape changed after their last modification (allowed) */
  lagging: number
  /** the column judge's work: values compared, and of them unreadable ones found NULL with their `_meta` change */
  judgedValues: number
  judgedNulled: number
}

export const diffCount = (d: StreamDiff) =>
  d.lost.length +
  d.wronglyDeleted.length +
  d.stale.length +
  d.notDeleted.length +
  d.duplicated.length +
  d.unrejected.length +
  d.missingColumns.length +
  d.wrongTypes.length +
  d.wrongValues.length

const scopeOf = (key: string) => key.split(KEY_SEPARATOR)[0]

/** The row-by-row comparison of one stream: expected (from the source) against stored (the warehouse). */
export function compareStream(
  expected: Expected,
  stored: StoredRows,
  /** the records crmsync rejected (`raw`) */
  rejected: readonly unknown[] = [],
): StreamDiff {
  const diff: StreamDiff = {
    stream: expected.stream,
    lost: [],
    wronglyDeleted: [],
    stale: [],
    notDeleted: [],
    duplicated: [],
    unrejected: [],
    tolerated: 0,
    missingColumns: [],
    wrongTypes: [],
    wrongValues: [],
    lagging: 0,
    judgedValues: 0,
    judgedNulled: 0,
  }
  const rejectedHashes = new Set(rejected.map(contentHash))
  for (const [hash, lag] of expected.mustReject) {
    if (rejectedHashes.has(hash)) continue
    // rejected before the source's shape changed, and not read since (the row is older than the change)
    const { lagging, lagHash } = lag
    const older = lagging && lagHash !== undefined
    if (
      older &&
      rejected.some((raw) => contentHash(withoutFields(raw, lagging, expected.nested)) === lagHash)
    )
      continue
    diff.unrejected.push(hash)
  }
  if (expected.multiset) {
    compareMultisets(expected.multiset, stored.multiset, diff)
    return diff
  }
  const skipped = (key: string) => expected.ignored.has(key) || expected.ignoredScopes.has(scopeOf(key))
  for (const [key, want] of expected.rows) {
    if (skipped(key)) continue
    const have = stored.rows.get(key)
    if (want.deleted) {
      // a record deleted at the source: soft-deleted here, holding its last version
      if (have && !have.deleted) diff.notDeleted.push(key)
      else if (!have) diff.lost.push(key)
      else if (!sameVersion(expected, want, have, diff)) diff.stale.push(key)
      continue
    }
    if (!have) diff.lost.push(key)
    else if (have.deleted) diff.wronglyDeleted.push(key)
    else if (!sameVersion(expected, want, have, diff)) diff.stale.push(key)
  }
  for (const [key, have] of stored.rows) {
    if (expected.rows.has(key) || have.deleted || skipped(key)) continue
    if (expected.tolerated.has(key) || expected.toleratedScopes.has(scopeOf(key))) diff.tolerated++
    else diff.notDeleted.push(key)
  }
  return diff
}

/**
 * Whether the stored `_raw` is the source's record: equal, or equal but for the fields whose shape
 * the source changed after the record's last modification, which no incremental read meets again.
 */
export function sameVersion(
  expected: Expected,
  want: ExpectedRow,
  have: { hash: string; raw: unknown },
  diff?: StreamDiff,
): boolean {
  if (have.hash === want.hash) return true
  if (want.lagHash === undefined || !want.lagging) return false
  const lagged = contentHash(withoutFields(have.raw, want.lagging, expected.nested)) === want.lagHash
  if (lagged && diff) diff.lagging++
  return lagged
}

function compareMultisets(want: Map<string, number>, have: Map<string, number>, diff: StreamDiff) {
  for (const [hash, n] of want) {
    const m = have.get(hash) ?? 0
    for (let i = m; i < n; i++) diff.lost.push(hash)
  }
  for (const [hash, m] of have) {
    const n = want.get(hash) ?? 0
    for (let i = n; i < m; i++) (n === 0 ? diff.notDeleted : diff.duplicated).push(hash)
  }
}
