import type { Warehouse } from '../warehouse/store.ts'

/**
 * How many streams one sync runs at once (docs/design.md §3.16). Each source says what it can
 * serve side by side (its manifest's `streamConcurrency`); a number asked for (`--concurrency N`)
 * replaces every source's and bounds the total; and the warehouse bounds the total whatever is
 * asked, since every run holds a connection of the pool for its stream lock.
 */
export type ConcurrencyRequest = number | 'per-source'

export interface ConcurrencyPlan {
  /** streams of each target at once, by the target's index */
  perTarget: number[]
  /** runs at once across all targets */
  total: number
}

/**
 * Connections of the pool no run may hold: a run writes its start, heartbeat, log lines and end,
 * and the alert rules read, on connections of their own while runs hold theirs. Were runs to hold
 * them all, those writes would wait for a run to end, and the runs for those writes.
 */
export const POOL_RESERVE = 2

/**
 * Runs at once the warehouse can serve. PGlite is one connection that every session shares, a
 * statement or a transaction at a time: sessions cost no connection, and the lock of each run is
 * its own (advisory locks by stream, and this process's own claim), so it sets no bound of its own.
 */
export function warehouseRunLimit(warehouse: Pick<Warehouse, 'kind' | 'poolStats'>): number {
  if (warehouse.kind === 'pglite') return Number.POSITIVE_INFINITY
  return Math.max(1, warehouse.poolStats().max - POOL_RESERVE)
}

/** What each target may run at once and what all may, from the request and the warehouse's bound. */
export function planConcurrency(sourceDefaults: readonly number[], request: ConcurrencyRequest, warehouseLimit: number): ConcurrencyPlan {
  const bound = Math.max(1, Math.floor(warehouseLimit))
  if (request !== 'per-source') {
    const asked = Math.max(1, Math.floor(request))
    return { perTarget: sourceDefaults.map(() => Math.min(asked, bound)), total: Math.min(asked, bound) }
  }
  const perTarget = sourceDefaults.map((n) => Math.min(Math.max(1, Math.floor(n)), bound))
  return { perTarget, total: Math.min(bound, perTarget.reduce((sum, n) => sum + n, 0)) }
}

export interface Semaphore {
  /** resolves once a slot is free, in the order asked; give it back with `release` */
  acquire(): Promise<void>
  release(): void
}

/** A counting semaphore, first come first served. */
export function createSemaphore(slots: number): Semaphore {
  let free = slots
  const waiting: (() => void)[] = []
  return {
    acquire() {
      if (free > 0) {
        free--
        return Promise.resolve()
      }
      return new Promise((resolve) => waiting.push(resolve))
    },
    release() {
      const next = waiting.shift()
      // the slot passes straight to the next in line, so nobody arriving meanwhile can take it
      if (next) next()
      else free++
    },
  }
}

/** Runs `task` over `items` with at most `limit` at once, each item's result at its own index. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const lane = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await task(items[index], index)
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane))
  return results
}
