import { describe, expect, it } from 'vitest'
import { createGovernor, type CallKind, type Governor, type HeaderReader, type Ticket } from './governor.ts'

/**
 * A discrete-event simulation: workers send requests through the governor to a model of HubSpot's
 * limiter (a sliding window of ARRIVAL times; refused calls are not counted), with a latency split
 * between the way there and the way back. Optional foreign traffic shares the window.
 */
interface Simulation {
  limit: number
  spanMs?: number
  kind?: CallKind
  workers: number
  durationMs: number
  latency: (random: () => number) => number
  /** other clients' requests per window, evenly spread */
  foreignPerWindow?: number
  /** whether answers carry X-HubSpot-RateLimit-Max/-Remaining */
  headers?: boolean
  governorLimit?: number
}

function seeded(seed: number) {
  let s = seed
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)
}

function simulate(sim: Simulation) {
  const span = sim.spanMs ?? 10_000
  const kind = sim.kind ?? 'standard'
  const random = seeded(7)
  const limitFor = sim.governorLimit ?? sim.limit
  const governor: Governor = createGovernor(
    kind === 'standard' ? { tenSecondly: limitFor, searchPerSecond: 5 } : { tenSecondly: 100, searchPerSecond: limitFor },
    random,
  )
  const arrivals: number[] = []
  const accepted: number[] = []
  let refused = 0
  let maxInWindow = 0
  type Event = { at: number; run: () => void }
  const queue: Event[] = []
  const schedule = (at: number, run: () => void) => {
    queue.push({ at, run })
    queue.sort((a, b) => a.at - b.at)
  }
  const inWindow = (t: number) => arrivals.filter((a) => a > t - span).length
  const serve = (t: number) => {
    const count = inWindow(t)
    if (count >= sim.limit) return { ok: false, remaining: 0 }
    arrivals.push(t)
    maxInWindow = Math.max(maxInWindow, count + 1)
    return { ok: true, remaining: sim.limit - count - 1 }
  }
  const worker = () => {
    let streak = 0
    const ready = (t: number) => {
      if (t >= sim.durationMs) return
      const wait = governor.delay(kind, t)
      if (wait) return schedule(t + wait.ms, () => ready(t + wait.ms))
      const ticket: Ticket = governor.start(kind, t)
      const latency = sim.latency(random)
      const arrive = t + latency * (0.2 + 0.6 * random())
      schedule(arrive, () => {
        const answer = serve(arrive)
        schedule(t + latency, () => {
          const done = t + latency
          const headers: HeaderReader | undefined = sim.headers
            ? (name) =>
                ({ 'x-hubspot-ratelimit-max': String(sim.limit), 'x-hubspot-ratelimit-remaining': String(answer.remaining) })[name] ??
                null
            : undefined
          governor.finish(ticket, done, headers)
          if (answer.ok) {
            streak = 0
            accepted.push(arrive)
            return ready(done)
          }
          refused++
          const ms = governor.throttled(kind, done, ++streak)
          ready(done + ms)
        })
      })
    }
    schedule(0, () => ready(0))
  }
  for (let i = 0; i < sim.workers; i++) worker()
  if (sim.foreignPerWindow) {
    const every = span / sim.foreignPerWindow
    for (let t = every / 2; t < sim.durationMs; t += every) {
      const at = t
      schedule(at, () => void serve(at))
    }
  }
  while (queue.length) queue.shift()!.run()
  // the rate once the first burst is over: whole windows after the first one
  const steady = accepted.filter((a) => a >= span && a < sim.durationMs)
  const perWindow = (steady.length / (sim.durationMs - span)) * span
  return { refused, maxInWindow, perWindow, accepted: accepted.length }
}

describe('the request governor', () => {
  it('never lets one sequential stream exceed the 10-second window, and uses nearly all of it', () => {
    const result = simulate({ limit: 100, workers: 1, durationMs: 120_000, latency: (r) => 20 + r() * 60 })
    expect(result.refused).toBe(0)
    expect(result.maxInWindow).toBeLessThanOrEqual(100)
    expect(result.perWindow).toBeGreaterThanOrEqual(95)
  })

  it('holds under concurrent streams with slow, uneven answers', () => {
    const result = simulate({ limit: 190, workers: 6, durationMs: 120_000, latency: (r) => 5 + r() ** 3 * 900 })
    expect(result.refused).toBe(0)
    expect(result.maxInWindow).toBeLessThanOrEqual(190)
    expect(result.perWindow).toBeGreaterThanOrEqual(0.95 * 190)
  })

  it('keeps search under its per-second budget', () => {
    const result = simulate({ limit: 5, spanMs: 1_000, kind: 'search', workers: 3, durationMs: 60_000, latency: (r) => 30 + r() * 100 })
    expect(result.refused).toBe(0)
    expect(result.maxInWindow).toBeLessThanOrEqual(5)
    expect(result.perWindow).toBeGreaterThanOrEqual(0.9 * 5)
  })

  it('makes room for other clients on the same token, seen through X-HubSpot-RateLimit-Remaining', () => {
    const result = simulate({ limit: 100, workers: 2, durationMs: 120_000, latency: (r) => 20 + r() * 60, foreignPerWindow: 30, headers: true })
    // the foreign client is not governed, so a few refusals while the phantoms are learnt are fair
    expect(result.refused).toBeLessThanOrEqual(3)
    expect(result.perWindow).toBeGreaterThanOrEqual(0.9 * 70)
  })

  it("adopts HubSpot's lower X-HubSpot-RateLimit-Max over the configured limit", () => {
    const result = simulate({ limit: 40, governorLimit: 100, workers: 1, durationMs: 60_000, latency: () => 30, headers: true })
    // the first burst runs into the real limit once; from then on the header's 40 holds
    expect(result.refused).toBeLessThanOrEqual(2)
    expect(result.perWindow).toBeGreaterThanOrEqual(0.95 * 40)
    expect(result.perWindow).toBeLessThanOrEqual(40)
  })

  it('after a 429, holds every request of that kind until a slot has surely freed', () => {
    const governor = createGovernor({ tenSecondly: 10, searchPerSecond: 5 }, () => 0)
    for (let i = 0; i < 3; i++) governor.finish(governor.start('standard', i * 100), i * 100 + 10)
    const wait = governor.throttled('standard', 1_000, 1)
    expect(wait).toBe(250)
    expect(governor.delay('standard', 1_100)?.ms).toBe(150)
    expect(governor.delay('standard', 1_250)).toBeUndefined()
    // a long streak waits no longer than it takes our oldest entry to leave the window
    expect(governor.throttled('standard', 2_000, 9)).toBe(10_010 - 2_000)
  })

  it('stops for the day when its own daily budget or HubSpot says so', () => {
    const governor = createGovernor({ tenSecondly: 100, searchPerSecond: 5, daily: 2 })
    const now = Date.parse('2026-01-01T10:00:00Z')
    governor.finish(governor.start('standard', now), now)
    expect(governor.dailyExhausted(now)).toBe(false)
    governor.finish(governor.start('search', now), now)
    expect(governor.dailyExhausted(now)).toBe(true)
    expect(governor.dailyExhausted(now + 86_400_000)).toBe(false)
    const other = createGovernor({ tenSecondly: 100, searchPerSecond: 5 })
    other.finish(other.start('standard', now), now, (name) => (name === 'x-hubspot-ratelimit-daily-remaining' ? '0' : null))
    expect(other.dailyExhausted(now)).toBe(true)
  })
})
