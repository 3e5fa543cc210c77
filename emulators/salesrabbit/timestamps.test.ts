import { describe, expect, it } from 'vitest'
import { formatTimestamp, lowerBoundTimestamp, parseInstant, timestampInput } from './timestamps.ts'

const JUNE_FIRST = Date.UTC(2025, 5, 1)

describe('parseInstant', () => {
  it('reads the documented form, Z, other offsets and HTTP-dates', () => {
    expect(parseInstant('2025-06-01T00:00:00+00:00')).toBe(JUNE_FIRST)
    expect(parseInstant('2025-06-01T00:00:00Z')).toBe(JUNE_FIRST)
    expect(parseInstant('2025-05-31T18:00:00-06:00')).toBe(JUNE_FIRST)
    expect(parseInstant('2025-06-01T05:30:00+0530')).toBe(JUNE_FIRST)
    expect(parseInstant('Sun, 01 Jun 2025 00:00:00 GMT')).toBe(JUNE_FIRST)
    expect(parseInstant('2025-06-01T00:00:00.250Z')).toBe(JUNE_FIRST + 250)
  })

  it('refuses times without a zone and impossible dates', () => {
    const refused = [
      '2025-06-01T00:00:00',
      '2025-06-01',
      'yesterday',
      '2025-02-30T00:00:00Z',
      '2025-06-01T24:00:00Z',
      'Sun, 01 Foo 2025 00:00:00 GMT',
    ]
    for (const text of refused) expect(parseInstant(text), text).toBeUndefined()
  })
})

describe('stored form', () => {
  it('formats UTC at second precision with an explicit +00:00', () => {
    expect(formatTimestamp(JUNE_FIRST + 1999)).toBe('2025-06-01T00:00:01+00:00')
  })

  it('moves a fractional lower bound up to the next whole second', () => {
    expect(lowerBoundTimestamp(JUNE_FIRST)).toBe('2025-06-01T00:00:00+00:00')
    expect(lowerBoundTimestamp(JUNE_FIRST + 1)).toBe('2025-06-01T00:00:01+00:00')
  })

  it('normalises admin input to the stored form', () => {
    expect(timestampInput.parse('2026-11-26T11:00:00+01:00')).toBe('2026-11-26T10:00:00+00:00')
    expect(timestampInput.safeParse('2026-11-26 10:00').success).toBe(false)
  })
})
