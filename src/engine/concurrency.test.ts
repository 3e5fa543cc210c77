import { describe, expect, it } from 'vitest'
import { createSemaphore, mapLimited, planConcurrency, POOL_RESERVE, warehouseRunLimit } from './concurrency.ts'

describe('how many streams a sync runs at once', () => {
  it('gives each source its own number, bounded by what the warehouse pool serves', () => {
    expect(planConcurrency([4, 3, 2], 'per-source', 8)).toEqual({ perTarget: [4, 3, 2], total: 8 })
    expect(planConcurrency([4], 'per-source', 2)).toEqual({ perTarget: [2], total: 2 })
    expect(planConcurrency([4, 1], 'per-source', Number.POSITIVE_INFINITY)).toEqual({ perTarget: [4, 1], total: 5 })
  })

  it('lets --concurrency replace every source number and bound the total, 1 running them one after another', () => {
    expect(planConcurrency([4, 3, 2], 1, 8)).toEqual({ perTarget: [1, 1, 1], total: 1 })
    expect(planConcurrency([4, 3], 6, 8)).toEqual({ perTarget: [6, 6], total: 6 })
    expect(planConcurrency([4], 16, 8)).toEqual({ perTarget: [8], total: 8 })
  })

  it('keeps connections of the pool free of runs for their heartbeats and logs, and never goes below one', () => {
    expect(warehouseRunLimit({ kind: 'postgres', poolStats: () => ({ max: 10, size: 0, inUse: 0, waiting: 0 }) })).toBe(10 - POOL_RESERVE)
    expect(warehouseRunLimit({ kind: 'postgres', poolStats: () => ({ max: 2, size: 0, inUse: 0, waiting: 0 }) })).toBe(1)
    // one connection shared by every session: no connection is held per run
    expect(warehouseRunLimit({ kind: 'pglite', poolStats: () => ({ max: 1, size: 1, inUse: 0, waiting: 0 }) })).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('the limits that enforce it', () => {
  it('never runs more tasks at once than the limit, and keeps each result at its item', async () => {
    let running = 0
    let peak = 0
    const results = await mapLimited([30, 5, 20, 1, 10, 2], 3, async (ms, index) => {
      peak = Math.max(peak, ++running)
      await new Promise((resolve) => setTimeout(resolve, ms))
      running--
      return index * 10
    })
    expect(results).toEqual([0, 10, 20, 30, 40, 50])
    expect(peak).toBe(3)
  })

  it('hands a freed slot to the first in line', async () => {
    const slots = createSemaphore(1)
    const order: string[] = []
    await slots.acquire()
    const first = slots.acquire().then(() => order.push('first'))
    const second = slots.acquire().then(() => order.push('second'))
    slots.release()
    await first
    slots.release()
    await second
    expect(order).toEqual(['first', 'second'])
  })
})
