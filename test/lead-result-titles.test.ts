import { describe, expect, it } from 'vitest'
import { LEAD_RESULT_TITLES } from '../emulators/salespro/index.ts'
import { matchTitle } from '../src/connectors/salespro/lead-result/index.ts'

// the emulator writes titles the way SalesPro's forms do; the normalizer must put each in its column
describe('every lead-result title the emulator generates maps to the column it means', () => {
  const cases = Object.entries(LEAD_RESULT_TITLES as Record<string, readonly string[]>).flatMap(([column, titles]) => titles.map((title) => [title, column] as const))
  it.each(cases)('%j → %s', (title, column) => {
    expect(matchTitle(title)).toEqual({ kind: 'column', column })
  })
  it.each([1, 2, 6])('legacy "Job Type %i" and its amount are line-item slots', (n) => {
    expect(matchTitle(`Job Type ${n}`)).toMatchObject({ kind: 'line-item', number: n })
    expect(matchTitle(`Job Type ${n} Amount`)).toMatchObject({ kind: 'line-item', number: n })
  })
})
