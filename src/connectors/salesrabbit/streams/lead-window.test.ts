import { describe, expect, it } from 'vitest'
import type { ReadRequest } from '../../types.ts'
import { finalCursor, planLeadsWindow, type LeadsCursor } from './lead-window.ts'
import { parseRetryAfter as retryAfterMs } from '../../../retry.ts'
import { formatInstant, parseInstant } from '../timestamps.ts'

const at = (text: string) => parseInstant(text) as number
const request = (over: Partial<ReadRequest<LeadsCursor>>): ReadRequest<LeadsCursor> => ({
  kind: 'incremental',
  cursor: undefined,
  applyLookback: true,
  lookbackSeconds: 3600,
  horizonSeconds: 0,
  pageSize: 2000,
  ...over,
})
const paging = { since: '2026-01-01T10:00:00+00:00', page: 3, runStart: '2026-01-02T00:00:00+00:00', maxSeen: null }

describe('planLeadsWindow', () => {
  it('starts an incremental run one lookback before the watermark, remembering the watermark', () => {
    const window = planLeadsWindow(request({ cursor: { watermark: '2026-01-01T11:00:00+00:00' } }))
    expect(window).toEqual({
      since: at('2026-01-01T10:00:00Z'),
      until: null,
      page: 1,
      runStart: undefined,
      maxSeen: at('2026-01-01T11:00:00Z'),
    })
  })

  it('resumes a run at the page after the committed one, with its filter and start, lookback or not', () => {
    const window = planLeadsWindow(request({ cursor: paging }))
    expect(window).toMatchObject({ since: at(paging.since), page: 4, runStart: at(paging.runStart), maxSeen: null })
  })

  it('a full read resumes only unfiltered paging; a backfill only its own window', () => {
    expect(planLeadsWindow(request({ kind: 'full', cursor: paging }))).toMatchObject({ since: null, page: 1 })
    expect(planLeadsWindow(request({ kind: 'full', cursor: { ...paging, since: null } }))).toMatchObject({ since: null, page: 4 })
    expect(planLeadsWindow(request({ kind: 'full', cursor: { watermark: paging.since } }))).toMatchObject({ since: null, page: 1 })
    const backfill = { kind: 'backfill' as const, since: '2026-01-01T10:00:00Z', until: '2026-01-01T12:00:00Z' }
    expect(planLeadsWindow(request({ ...backfill, cursor: paging }))).toMatchObject({ page: 4, until: at(backfill.until) })
    expect(planLeadsWindow(request({ ...backfill, since: '2025-01-01T00:00:00Z', cursor: paging }))).toMatchObject({ page: 1 })
  })
})

describe('finalCursor', () => {
  const window = { since: null, until: null, page: 9, runStart: at('2026-01-02T00:00:00Z'), maxSeen: null as number | null }
  it('never moves the watermark past the run start on the source clock', () => {
    expect(finalCursor({ ...window, maxSeen: at('2026-01-02T00:05:00Z') }, 0)).toEqual({ watermark: '2026-01-02T00:00:00+00:00' })
    expect(finalCursor({ ...window, maxSeen: at('2026-01-01T08:00:00Z') }, 0)).toEqual({ watermark: '2026-01-01T08:00:00+00:00' })
    expect(finalCursor(window, 60)).toEqual({ watermark: '2026-01-01T23:59:00+00:00' })
  })
})

describe('wire formats', () => {
  it('reads instants only with a zone and a real calendar date, and writes the +00:00 form', () => {
    expect(parseInstant('2023-11-21T16:50:21+00:00')).toBe(Date.UTC(2023, 10, 21, 16, 50, 21))
    expect(parseInstant('2023-11-21T18:50:21+0200')).toBe(Date.UTC(2023, 10, 21, 16, 50, 21))
    const invalid = ['2023-11-21T16:50:21', '2023-02-31T00:00:00Z', '0000-00-00 00:00:00', '']
    expect(invalid.map(parseInstant)).toEqual([undefined, undefined, undefined, undefined])
    expect(formatInstant(Date.UTC(2025, 5, 1, 0, 0, 0, 999))).toBe('2025-06-01T00:00:00+00:00')
  })

  it('reads Retry-After as seconds or as an HTTP-date', () => {
    const now = Date.UTC(2026, 0, 1)
    expect(retryAfterMs('2', now)).toBe(2000)
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000)
    expect(retryAfterMs('soon', now)).toBeUndefined()
  })
})
