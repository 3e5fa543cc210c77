import { describe, expect, it } from 'vitest'
import { parseAlertsConfig } from './config.ts'
import { poolFinding, responseTimeFinding } from './process-rules.ts'

const settings = parseAlertsConfig({ env: {}, file: {} })

describe('process rules', () => {
  it('pool_exhaustion fires at 90% in use or with a caller waiting, never on the embedded warehouse', () => {
    const stats = (inUse: number, waiting = 0) => ({ max: 20, size: 20, inUse, waiting })
    expect(poolFinding(settings, 'postgres', stats(17), 'me')).toMatchObject({ firing: false, owner: 'me' })
    expect(poolFinding(settings, 'postgres', stats(18), 'me')).toMatchObject({ firing: true, value: 0.9, severity: 'critical' })
    expect(poolFinding(settings, 'postgres', stats(3, 1), 'me')).toMatchObject({ firing: true })
    expect(poolFinding(settings, 'pglite', { max: 1, size: 1, inUse: 1, waiting: 0 }, 'me')).toBeUndefined()
  })

  it('sync_response_time needs a request to judge, and fires at the threshold', () => {
    expect(responseTimeFinding(settings, 'hubspot', 'contacts', undefined)).toBeUndefined()
    expect(responseTimeFinding(settings, 'hubspot', 'contacts', { ms: 29_999, operation: 'crm.search', requests: 3 })).toMatchObject({ firing: false })
    const slow = responseTimeFinding(settings, 'hubspot', 'contacts', { ms: 30_000, operation: 'crm.search', requests: 3 })
    expect(slow).toMatchObject({ firing: true, value: 30, threshold: 30, details: { operation: 'crm.search' } })
  })
})
