import { describe, expect, it } from 'vitest'
import { isoInstant } from './args.ts'

describe('isoInstant', () => {
  it.each([
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2024-05-01T10:00', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T10:00:00+02:00', '2024-05-01T08:00:00.000Z'],
    ['2024-12-31 23:59:59.5', '2024-12-31T23:59:59.500Z'],
  ])('%s is %s', (text, iso) => expect(isoInstant(text, '--since')).toBe(iso))

  it.each(['2024-02-30', '2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-01T24:00:00Z', '2024-01-01T10:60', '2024-01-01T10:00:61Z'])(
    '%s is not a calendar instant',
    (text) => expect(() => isoInstant(text, '--since')).toThrow(`--since ${text} is not a calendar date or time`),
  )

  it('refuses what is not ISO-8601 at all', () => expect(() => isoInstant('yesterday', '--until')).toThrow(/--until must be an ISO-8601 date/))
})
