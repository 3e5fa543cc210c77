import { ConfiguredRetryStrategy } from '@smithy/core/retry'
import { backoffMs, type Backoff } from '../../retry.ts'

/**
 * The AWS SDK's retry of one request (throttling, 5xx, resets), on crmsync's one backoff
 * (`backoffMs`, src/retry.ts) instead of the SDK's own formula: 5 tries in all, the waits between
 * them from 500 ms (the SDK's base for throttling, Athena's usual refusal) doubling to at most 20 s.
 * What is still failing after them goes back to the engine as `rate_limited` or
 * `source_unavailable` (./aws-errors.ts), which resumes the run from its last committed page.
 */
export const SDK_MAX_ATTEMPTS = 5

export const SDK_BACKOFF: Backoff = { baseMs: 500, maxMs: 20_000 }

/** The wait before retry `attempt` (1 = the first retry). */
export const sdkRetryWait = (attempt: number, random: () => number = Math.random) => backoffMs(SDK_BACKOFF, attempt, random)

/** A strategy per client: the SDK keeps its retry capacity (a token bucket) in it. */
export const sdkRetryStrategy = (random: () => number = Math.random) =>
  new ConfiguredRetryStrategy(SDK_MAX_ATTEMPTS, (attempt) => sdkRetryWait(attempt, random))
