import { describe, expect, it } from 'vitest'
import { sharedResult } from './shared-result.ts'

describe('sharedResult', () => {
  it('computes once for requests that arrive together, again after invalidate, and never keeps a failure', async () => {
    let calls = 0
    let fail = false
    const shared = sharedResult(async () => {
      calls++
      if (fail) throw new Error('warehouse down')
      return calls
    }, 60_000)
    expect(await Promise.all([shared.get(), shared.get(), shared.get()])).toEqual([1, 1, 1])
    expect(await shared.get()).toBe(1)
    shared.invalidate()
    fail = true
    await expect(shared.get()).rejects.toThrow('warehouse down')
    fail = false
    expect(await shared.get()).toBe(3)
  })

  it('computes again once the kept result is older than its ttl', async () => {
    let calls = 0
    const shared = sharedResult(async () => ++calls, 0)
    await shared.get()
    // a ttl of 0 keeps nothing once the computation has finished
    await new Promise((resolve) => setImmediate(resolve))
    expect(await shared.get()).toBe(2)
  })
})
