import { describe, expect, it } from 'vitest'
import { fitRunning } from './progress-fit.ts'

const running = (names: string[]) => names.map((name, i) => ({ name, rows: (i + 1) * 1000 }))

describe('the live line with streams side by side', () => {
  it('shows each stream in full when they fit', () => {
    expect(fitRunning(['salespro.customer 1,000 rows 2.0 s', 'salespro.estimate 2,000 rows 2.0 s'], running(['salespro.customer', 'salespro.estimate']), 100)).toBe(
      'salespro.customer 1,000 rows 2.0 s  │  salespro.estimate 2,000 rows 2.0 s',
    )
  })

  it('shortens each to its name and rows, without the source they share, rather than cutting the line', () => {
    const names = ['salespro.customer', 'salespro.estimate', 'salespro.lead_result', 'salespro.payment']
    const full = names.map((n) => `${n} 1,000 rows 500/s 2.0 s`)
    expect(fitRunning(full, running(names), 80)).toBe('4 running: customer 1,000 · estimate 2,000 · lead_result 3,000 · payment 4,000')
  })

  it('says how many more run when even the short forms do not fit', () => {
    const names = ['salespro.customer', 'hubspot.contacts', 'hubspot.deals', 'salesrabbit.leads']
    const full = names.map((n) => `${n} 1,000 rows 500/s 2.0 s`)
    const text = fitRunning(full, running(names), 70)
    expect(text).toBe('4 running: salespro.customer 1,000 · hubspot.contacts 2,000 +2 more')
    expect(text.length).toBeLessThanOrEqual(70)
  })
})
