import { describe, expect, it } from 'vitest'
import { parseRetryAfter as retryAfterMs } from '../../retry.ts'
import { isTransientFailure, readErrorBody, terminalError } from './http-errors.ts'

describe('HubSpot error answers', () => {
  it('401 is auth_failed and points at the token variable', () => {
    const error = terminalError(401, readErrorBody('{"status":"error","message":"Authentication credentials not found."}'), 'owners:list')
    expect(error).toMatchObject({ code: 'auth_failed', retryable: false })
    expect(error.message).toMatch(/^HubSpot refused the token \(401\): check HUBSPOT_API_TOKEN/)
  })

  it('403 names the missing scope when HubSpot says which', () => {
    const body = readErrorBody(
      JSON.stringify({
        status: 'error',
        message: "This app hasn't been granted all required scopes to make this call.",
        correlationId: 'c0ffee',
        category: 'MISSING_SCOPES',
        errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: ['crm.objects.deals.read'] } }],
      }),
    )
    const error = terminalError(403, body, 'deals:list')
    expect(error.code).toBe('auth_failed')
    expect(error.message).toBe('HubSpot refused access (403) to deals:list: the private app lacks the scope crm.objects.deals.read (correlationId c0ffee)')
  })

  it("400 is source_bad_response with HubSpot's message and correlation id", () => {
    const body = readErrorBody('{"status":"error","message":"Property \\"x\\" does not exist","correlationId":"abc-1","category":"VALIDATION_ERROR"}')
    expect(terminalError(400, body, 'contacts:search')).toMatchObject({
      code: 'source_bad_response',
      message: 'HubSpot rejected contacts:search (400 VALIDATION_ERROR): Property "x" does not exist; correlationId abc-1',
    })
    expect(readErrorBody('<html>bad gateway</html>')).toEqual({})
  })

  it('reads Retry-After as seconds or a date, and knows which network failures to retry', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(retryAfterMs('2', now)).toBe(2000)
    expect(retryAfterMs('0.5', now)).toBe(500)
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000)
    expect(retryAfterMs(null, now)).toBeUndefined()
    expect(isTransientFailure(new TypeError('fetch failed', { cause: new Error('other side closed') }))).toBe(true)
    expect(isTransientFailure(Object.assign(new Error('The operation timed out'), { name: 'TimeoutError' }))).toBe(true)
    expect(isTransientFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(false)
  })
})
