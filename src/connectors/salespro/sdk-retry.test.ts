import { describe, expect, it } from 'vitest'
import { SDK_BACKOFF, SDK_MAX_ATTEMPTS, sdkRetryStrategy, sdkRetryWait } from './sdk-retry.ts'

describe("the AWS SDK's retry, on crmsync's backoff", () => {
  it('waits from the base, doubling, capped at 20 s', () => {
    expect([1, 2, 3, 4, 7, 11].map((attempt) => sdkRetryWait(attempt, () => 1))).toEqual([500, 1_000, 2_000, 4_000, 20_000, 20_000])
    expect(sdkRetryWait(4, () => 0)).toBe(SDK_BACKOFF.baseMs / 2)
  })

  it('is what the SDK waits, and the SDK stops after 5 tries in all', async () => {
    const strategy = sdkRetryStrategy(() => 0)
    let token = await strategy.acquireInitialRetryToken('athena')
    const waits: number[] = []
    for (let retry = 1; retry < SDK_MAX_ATTEMPTS; retry++) {
      token = await strategy.refreshRetryTokenForRetry(token, { errorType: 'TRANSIENT' })
      waits.push((token as unknown as { $retryLog: { acquisitionDelay: number } }).$retryLog.acquisitionDelay)
    }
    expect(waits).toEqual([250, 250, 250, 250])
    await expect(strategy.refreshRetryTokenForRetry(token, { errorType: 'TRANSIENT' })).rejects.toThrow(/No retry token/)
  })
})
