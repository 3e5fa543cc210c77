import { randomUUID } from 'node:crypto'
import { z } from 'zod'

/**
 * HubSpot's private-app limits: a rolling 10-second window for ordinary calls, a separate
 * per-second budget for search (which is exempt from the 10-second one), and a daily cap.
 */
export const limitsSchema = z
  .object({
    tenSecondly: z.number().int().positive(),
    /** a per-second cap on ordinary calls; off unless set (HubSpot only reports it in headers) */
    secondly: z.number().int().positive().nullable(),
    searchPerSecond: z.number().int().positive(),
    daily: z.number().int().positive(),
  })
  .strict()

export type Limits = z.infer<typeof limitsSchema>

export const DEFAULT_LIMITS: Limits = { tenSecondly: 100, secondly: null, searchPerSecond: 5, daily: 250_000 }

export const POLICIES = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten secondly limit.',
  SECONDLY: 'You have reached your secondly limit.',
  DAILY: 'You have reached your daily limit.',
} as const

export type Policy = keyof typeof POLICIES
export type CallKind = 'search' | 'standard'

export interface Verdict {
  /** the X-HubSpot-RateLimit-* headers this answer carries */
  readonly headers: Record<string, string>
  /** set when the call is refused */
  readonly exceeded?: Policy
}

/** timestamps inside a sliding window; the head index avoids O(n) shifts at high limits */
function createWindow(spanMs: number) {
  let times: number[] = []
  let head = 0
  const prune = (now: number) => {
    while (head < times.length && times[head] <= now - spanMs) head++
    if (head > 1024 && head * 2 > times.length) {
      times = times.slice(head)
      head = 0
    }
  }
  return {
    count(now: number) {
      prune(now)
      return times.length - head
    },
    add(now: number) {
      times.push(now)
    },
  }
}

export interface RateLimiter {
  limits: Limits
  check(kind: CallKind, now: number): Verdict
  /** the answer to a refused call (also what the throttle fault sends) */
  body(policy: Policy, correlationId?: string): Record<string, string>
}

export function createRateLimiter(initial: Limits): RateLimiter {
  const tenSeconds = createWindow(10_000)
  const oneSecond = createWindow(1_000)
  const search = createWindow(1_000)
  const day = { key: '', count: 0 }

  const limiter: RateLimiter = {
    limits: { ...initial },
    check(kind, now) {
      const { limits } = limiter
      const today = new Date(now).toISOString().slice(0, 10)
      if (day.key !== today) Object.assign(day, { key: today, count: 0 })
      let exceeded: Policy | undefined
      if (day.count >= limits.daily) exceeded = 'DAILY'
      else if (kind === 'search') {
        if (search.count(now) >= limits.searchPerSecond) exceeded = 'SECONDLY'
      } else if (tenSeconds.count(now) >= limits.tenSecondly) exceeded = 'TEN_SECONDLY_ROLLING'
      else if (limits.secondly !== null && oneSecond.count(now) >= limits.secondly) exceeded = 'SECONDLY'
      if (!exceeded) {
        day.count++
        if (kind === 'search') search.add(now)
        else {
          tenSeconds.add(now)
          oneSecond.add(now)
        }
      }
      const headers: Record<string, string> = {
        'X-HubSpot-RateLimit-Daily': String(limits.daily),
        'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, limits.daily - day.count)),
      }
      // search answers carry only the daily pair (as recorded from real traffic)
      if (kind === 'standard') {
        const secondly = limits.secondly ?? Math.max(1, Math.floor(limits.tenSecondly / 10))
        Object.assign(headers, {
          'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
          'X-HubSpot-RateLimit-Max': String(limits.tenSecondly),
          'X-HubSpot-RateLimit-Remaining': String(Math.max(0, limits.tenSecondly - tenSeconds.count(now))),
          'X-HubSpot-RateLimit-Secondly': String(secondly),
          'X-HubSpot-RateLimit-Secondly-Remaining': String(Math.max(0, secondly - oneSecond.count(now))),
        })
      }
      return exceeded ? { headers, exceeded } : { headers }
    },
    body(policy, correlationId = randomUUID()) {
      return {
        status: 'error',
        message: POLICIES[policy],
        errorType: 'RATE_LIMIT',
        correlationId,
        policyName: policy,
        requestId: randomUUID(),
      }
    },
  }
  return limiter
}
