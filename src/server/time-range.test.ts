import { describe, expect, it } from 'vitest'
import { describeWindow, rangeInputs, rangeQuerySchema, resolveWindow } from './time-range.ts'

const NOW = Date.UTC(2026, 0, 31, 12)

describe('the shared time range', () => {
  it('resolves a named range back from now, a custom from/to as given, and the page default otherwise', () => {
    expect(resolveWindow({ range: '1h' }, '7d', NOW)).toEqual({ since: new Date(NOW - 3_600_000), until: null })
    expect(resolveWindow({}, '24h', NOW)).toEqual({ since: new Date(NOW - 86_400_000), until: null })
    expect(resolveWindow({ range: 'all' }, '24h', NOW)).toEqual({ since: null, until: null })
    const custom = rangeQuerySchema.parse({ since: '2026-01-01T10:00', until: '2026-01-02' })
    expect(resolveWindow(custom, '24h', NOW)).toEqual({ since: new Date('2026-01-01T10:00:00Z'), until: new Date('2026-01-02T00:00:00Z') })
    expect(describeWindow(custom, '24h')).toBe('2026-01-01 10:00 to 2026-01-02 00:00 (UTC)')
    expect(describeWindow({}, '7d')).toBe('last 7 days')
  })

  it('refuses an unknown range, a time it cannot read and a window that ends before it starts, naming each', () => {
    const problems = (input: Record<string, string>) => rangeQuerySchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    expect(problems({ range: '2d' })).toEqual(['range: must be one of 1h, 24h, 7d, 30d, all'])
    expect(problems({ since: 'last tuesday' })?.[0]).toMatch(/^since: must be an ISO-8601 date or time/)
    expect(problems({ since: '2026-01-02', until: '2026-01-01' })).toEqual(['until: must be after since (2026-01-02T00:00:00.000Z)'])
    expect(problems({ other: 'x' })?.[0]).toMatch(/other/)
  })

  it('shows a custom window as custom, and the chosen or default range as selected', () => {
    expect(rangeInputs({ since: '2026-01-01T10:00:00.000Z' }, '24h').__html).toContain('<option value="" selected>custom (from / to)</option>')
    expect(rangeInputs({ since: '2026-01-01T10:00:00.000Z' }, '24h').__html).toContain('value="2026-01-01T10:00"')
    expect(rangeInputs({}, '24h').__html).toContain('<option value="24h" selected>')
    expect(rangeInputs({ range: '30d' }, '24h').__html).toContain('<option value="30d" selected>')
  })
})
