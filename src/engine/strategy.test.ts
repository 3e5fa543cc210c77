import { describe, expect, it } from 'vitest'
import { resolveStrategy } from './strategy.ts'

const pass = { passId: 'p', mode: 'full' as const, runId: 1, startedAt: '2026-01-01T00:00:00Z', tracksKeys: true }
const cursor = { ts: '2026-01-01 00:00:00.000', key: 'a' }

describe('resolveStrategy (docs/design.md §3.4)', () => {
  it('a --since/--until window wins over everything, and leaves the cursor alone', () => {
    for (const flags of [{ since: '2024-01-01T00:00:00Z' }, { until: '2024-01-01T00:00:00Z', force: true, full: true }]) {
      expect(resolveStrategy(flags, { cursor, fullPass: pass }, { alwaysFull: true })).toMatchObject({ mode: 'backfill', newPass: false, resumePass: false })
    }
  })
  it('--force beats --full, a pass in progress and a cursor', () => {
    expect(resolveStrategy({ force: true, full: true }, { cursor, fullPass: pass })).toMatchObject({ mode: 'force', newPass: true })
  })
  it('--full beats a pass in progress and a cursor', () => {
    expect(resolveStrategy({ full: true }, { cursor, fullPass: pass })).toMatchObject({ mode: 'full', newPass: true })
  })
  it('an unfinished full pass is resumed before the cursor is used', () => {
    expect(resolveStrategy({}, { cursor, fullPass: pass })).toMatchObject({ mode: 'full', resumePass: true, newPass: false })
    expect(resolveStrategy({}, { cursor, fullPass: { ...pass, mode: 'force' } })).toMatchObject({ mode: 'force', resumePass: true })
  })
  it('an unfinished pass with no position starts again as a new pass (docs/design.md §3.5): its keys would excuse deletes', () => {
    for (const none of [undefined, null]) {
      expect(resolveStrategy({}, { cursor: none, fullPass: pass })).toMatchObject({ mode: 'full', newPass: true, resumePass: false })
      expect(resolveStrategy({}, { cursor: none, fullPass: { ...pass, mode: 'force' } })).toMatchObject({ mode: 'force', newPass: true, resumePass: false })
      expect(resolveStrategy({}, { cursor: none, fullPass: pass }, { alwaysFull: true })).toMatchObject({ mode: 'full', newPass: true, resumePass: false })
    }
  })
  it('a stored cursor means incremental; nothing stored means a full pass', () => {
    expect(resolveStrategy({}, { cursor, fullPass: null })).toMatchObject({ mode: 'incremental', newPass: false })
    expect(resolveStrategy({}, { cursor: undefined, fullPass: null })).toMatchObject({ mode: 'full', newPass: true })
    expect(resolveStrategy({}, undefined)).toMatchObject({ mode: 'full', newPass: true })
  })
  it('a stream read whole every time starts a full pass instead of going incremental', () => {
    expect(resolveStrategy({}, { cursor, fullPass: null }, { alwaysFull: true })).toMatchObject({ mode: 'full', newPass: true })
    expect(resolveStrategy({}, { cursor, fullPass: pass }, { alwaysFull: true })).toMatchObject({ mode: 'full', resumePass: true })
  })
})
