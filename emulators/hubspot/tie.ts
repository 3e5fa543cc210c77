import type { Random } from '../shared/random.ts'
import { linkNewRecord } from './links.ts'
import type { ObjectSpec } from './object-types.ts'
import { DAY } from './property-kit.ts'
import { createRecord, stampSystem, tableOf, touch, type Store } from './store.ts'

/**
 * Gives `size` live records of one type exactly the same modified time, the way HubSpot's own
 * month-end batch jobs do (Airbyte #43317: more than 10k contacts on one millisecond). Records
 * that existed at `at` are chosen first; missing ones are created. `write` marks it as a change
 * made now (the search index lag applies); the initial data set is built without it.
 */
export function applyTie(store: Store, spec: ObjectSpec, size: number, at: string, r: Random, write = true) {
  const table = tableOf(store, spec)
  const live = table.records.filter((rec) => !rec.archived)
  const chosen = sample(
    live.filter((rec) => rec.createdAt <= at),
    size,
    r,
  )
  const later = live.filter((rec) => rec.createdAt > at)
  if (chosen.length < size) chosen.push(...sample(later, size - chosen.length, r))
  let created = 0
  const atMs = Date.parse(at)
  while (chosen.length < size) {
    const record = createRecord(store, table, r, atMs - r.int(0, 30 * DAY), atMs)
    linkNewRecord(store, spec, record, r)
    chosen.push(record)
    created++
  }
  for (const record of chosen) {
    if (write) touch(store, table, record, at)
    else {
      record.updatedAt = at
      if (record.createdAt > at) record.createdAt = at
      stampSystem(spec, record)
    }
  }
  store.version++
  return { size: chosen.length, created }
}

/** `k` distinct items, seeded (a partial Fisher–Yates over a copy) */
export function sample<T>(items: readonly T[], k: number, r: Random): T[] {
  const copy = [...items]
  const n = Math.min(k, copy.length)
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(r.next() * (copy.length - i))
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy.slice(0, n)
}
