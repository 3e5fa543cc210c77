/**
 * A circuit breaker per source, as data and pure functions; the store persists it so every
 * process syncing a source shares it. Defaults are the original's (CONNECTION_POOL_CONFIG):
 * open after 5 failures within 60 s, a half-open probe after 60 s, 3 successes to close.
 *
 *   closed ──5 failures in 60 s──▶ open ──60 s later──▶ half_open ──3 successes──▶ closed
 *                                   ▲                        │
 *                                   └────── any failure ─────┘
 */
export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const
export type BreakerState = (typeof BREAKER_STATES)[number]

export interface Breaker {
  state: BreakerState
  /** failure times within the window (ms), oldest first */
  failures: number[]
  /** successes since half-open */
  successes: number
  openedAt: number | null
}

export interface BreakerPolicy {
  failureThreshold: number
  windowSeconds: number
  openSeconds: number
  successThreshold: number
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = { failureThreshold: 5, windowSeconds: 60, openSeconds: 60, successThreshold: 3 }

export const closedBreaker = (): Breaker => ({ state: 'closed', failures: [], successes: 0, openedAt: null })

export interface Admission {
  allow: boolean
  breaker: Breaker
  /** when refused: the moment a probe will be allowed */
  retryAt?: number
}

/** May a run start now? An open breaker whose time is up lets a probe through, half-open. */
export function admit(breaker: Breaker, now: number, policy: BreakerPolicy = DEFAULT_BREAKER_POLICY): Admission {
  if (breaker.state !== 'open') return { allow: true, breaker }
  const retryAt = (breaker.openedAt ?? now) + policy.openSeconds * 1000
  if (now < retryAt) return { allow: false, breaker, retryAt }
  return { allow: true, breaker: { ...breaker, state: 'half_open', successes: 0 } }
}

export function recordFailure(breaker: Breaker, now: number, policy: BreakerPolicy = DEFAULT_BREAKER_POLICY): Breaker {
  if (breaker.state === 'half_open') return { state: 'open', failures: [now], successes: 0, openedAt: now }
  if (breaker.state === 'open') return breaker
  const failures = [...breaker.failures.filter((t) => t > now - policy.windowSeconds * 1000), now]
  if (failures.length >= policy.failureThreshold) return { state: 'open', failures, successes: 0, openedAt: now }
  return { ...breaker, failures }
}

export function recordSuccess(breaker: Breaker, _now: number, policy: BreakerPolicy = DEFAULT_BREAKER_POLICY): Breaker {
  if (breaker.state === 'half_open') {
    const successes = breaker.successes + 1
    return successes >= policy.successThreshold ? closedBreaker() : { ...breaker, successes }
  }
  if (breaker.state === 'open') return breaker
  return { ...breaker, failures: [] }
}

/** Error codes that say the SOURCE is unwell; warehouse trouble, bad config or a busy stream do not count. */
export const SOURCE_FAILURE_CODES: ReadonlySet<string> = new Set(['source_unavailable', 'rate_limited', 'daily_limit', 'query_failed', 'query_refused', 'source_bad_response', 'auth_failed'])
