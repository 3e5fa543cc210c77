import { describe, expect, it } from 'vitest'
import type { ReadRequest } from '../../types.ts'
import { afterSearchPage, inWindow, maxId, modifiedMs, planRead, searchBody, type ObjectCursor, type SearchWindow } from './window.ts'

const NOW = Date.parse('2026-06-01T12:00:00.000Z')
const request = (over: Partial<ReadRequest<ObjectCursor>>): ReadRequest<ObjectCursor> => ({
  kind: 'incremental',
  cursor: undefined,
  applyLookback: true,
  lookbackSeconds: 600,
  horizonSeconds: 30,
  pageSize: 100,
  ...over,
})

describe('planRead', () => {
  it('starts a full pass on the list endpoint, noting when the pass began', () => {
    expect(planRead(request({ kind: 'full' }), NOW)).toEqual({ phase: 'list', listStartedAt: String(NOW) })
    expect(planRead(request({ cursor: undefined }), NOW)).toEqual({ phase: 'list', listStartedAt: String(NOW) })
  })

  it('resumes an interrupted pass where its last committed page left it', () => {
    const list: ObjectCursor = { phase: 'list', after: 'MTIz', listStartedAt: '1700000000000' }
    expect(planRead(request({ kind: 'full', cursor: list, applyLookback: false }), NOW)).toEqual({ phase: 'list', after: 'MTIz', listStartedAt: '1700000000000' })
    const archived: ObjectCursor = { phase: 'archived', after: 'NDU2', next: '1700000000000' }
    expect(planRead(request({ kind: 'full', cursor: archived }), NOW)).toEqual({ phase: 'archived', after: 'NDU2', next: '1700000000000', since: undefined })
  })

  it('a full pass whose last page was committed has nothing left to read', () => {
    expect(planRead(request({ kind: 'full', cursor: { phase: 'search', from: '1700000000000' } }), NOW)).toEqual({ phase: 'done' })
  })

  it('reads one fixed window from the cursor minus the lookback to now minus the horizon', () => {
    const from = String(NOW - 3_600_000)
    const plan = planRead(request({ cursor: { phase: 'search', from } }), NOW)
    const lo = String(NOW - 3_600_000 - 600_000)
    const hi = String(NOW - 30_000)
    expect(plan).toEqual({ phase: 'search', lo, hi, lastId: '0', then: { phase: 'archived', next: hi, since: String(Number(lo) - 600_000) } })
  })

  it('applies no lookback when resuming inside a run, and resumes an unfinished window exactly', () => {
    const from = String(NOW - 3_600_000)
    expect(planRead(request({ cursor: { phase: 'search', from }, applyLookback: false }), NOW)).toMatchObject({ lo: from })
    const cursor: ObjectCursor = { phase: 'search', from: '1000', to: '2000', lastId: '98765' }
    expect(planRead(request({ cursor, applyLookback: true }), NOW)).toEqual({
      phase: 'search',
      lo: '1000',
      hi: '2000',
      lastId: '98765',
      then: { phase: 'archived', next: '2000', since: String(Math.max(0, 1000 - 600_000)) },
    })
  })

  it('never moves the cursor backwards when the horizon ends the window before it', () => {
    const from = String(NOW - 10_000)
    const plan = planRead(request({ cursor: { phase: 'search', from }, lookbackSeconds: 0 }), NOW)
    expect(plan).toEqual({ phase: 'archived', next: from, since: from })
  })

  it('reads a backfill window [since, until) the same way and ends without an archived scan', () => {
    const since = '2026-01-01T00:00:00.000Z'
    const until = '2026-02-01T00:00:00.000Z'
    const plan = planRead(request({ kind: 'backfill', since, until }), NOW)
    const hi = String(Date.parse(until))
    expect(plan).toEqual({ phase: 'search', lo: String(Date.parse(since)), hi, lastId: '0', then: { phase: 'search', from: hi } })
    // a backfill retried mid-window resumes it
    const resumed = planRead(request({ kind: 'backfill', since, until, cursor: { phase: 'search', from: '5', to: hi, lastId: '77' } }), NOW)
    expect(resumed).toMatchObject({ lo: '5', hi, lastId: '77', then: { phase: 'search', from: hi } })
  })
})

describe('the id keyset inside a window', () => {
  const window: SearchWindow = { lo: '1000', hi: '2000', lastId: '0', then: { phase: 'archived', next: '2000', since: '400' } }

  it('asks for modified in [lo, hi) and ids after the last one, sorted by id, never with after', () => {
    const body = searchBody({ ...window, lastId: '4242' }, 'lastmodifieddate', ['email'], 200)
    expect(body).toEqual({
      filterGroups: [
        {
          filters: [
            { propertyName: 'lastmodifieddate', operator: 'GTE', value: '1000' },
            { propertyName: 'lastmodifieddate', operator: 'LT', value: '2000' },
            { propertyName: 'hs_object_id', operator: 'GT', value: '4242' },
          ],
        },
      ],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      properties: ['email'],
      limit: 200,
    })
    expect(body).not.toHaveProperty('after')
  })

  it('keeps the window in every page cursor, and hands over to what follows when it is exhausted', () => {
    expect(afterSearchPage(window, '5000', true)).toEqual({ phase: 'search', from: '1000', to: '2000', lastId: '5000' })
    expect(afterSearchPage(window, '5000', false)).toEqual({ phase: 'archived', next: '2000', since: '400' })
  })

  it('reads the whole of a timestamp shared by more records than 10,000 results, each once', () => {
    // a model of HubSpot's search: 25,000 records on ONE millisecond, 200 per answer, 400 past 10,000
    const ids = Array.from({ length: 25_000 }, (_, i) => String(1_000_001 + i * 3))
    const search = (w: SearchWindow) => {
      const after = Number(w.lastId)
      const matched = ids.filter((id) => Number(id) > after)
      return { results: matched.slice(0, 200), more: matched.length > 200 }
    }
    const seen = new Set<string>()
    let twice = 0
    let w: SearchWindow = { ...window }
    let cursor: ObjectCursor | undefined
    for (let calls = 0; calls < 1_000; calls++) {
      const { results, more } = search(w)
      for (const id of results) {
        if (seen.has(id)) twice++
        seen.add(id)
      }
      const last = results.reduce(maxId, w.lastId)
      cursor = afterSearchPage(w, last, more)
      if (!more) break
      w = { ...w, lastId: last }
    }
    expect(seen.size).toBe(25_000)
    expect(twice).toBe(0)
    expect(cursor).toEqual(window.then)
  })

  it('compares ids exactly, beyond 2^53', () => {
    expect(maxId('9007199254740993', '9007199254740992')).toBe('9007199254740993')
    expect(maxId('10', '9')).toBe('10')
  })

  it('drops records HubSpot returns from outside the window', () => {
    const record = (modified: string) => ({ properties: { lastmodifieddate: modified }, updatedAt: modified })
    const w = { lo: String(Date.parse('2026-01-01T00:00:00.000Z')), hi: String(Date.parse('2026-01-02T00:00:00.000Z')) }
    expect(inWindow(modifiedMs(record('2026-01-01T00:00:00.000Z'), 'lastmodifieddate'), w)).toBe(true)
    expect(inWindow(modifiedMs(record('2026-01-02T00:00:00.000Z'), 'lastmodifieddate'), w)).toBe(false)
    expect(inWindow(modifiedMs(record('2025-12-31T23:59:59.999Z'), 'lastmodifieddate'), w)).toBe(false)
    expect(modifiedMs({ properties: {}, updatedAt: '2026-01-01T00:00:00.000Z' }, 'hs_lastmodifieddate')).toBe(Number(w.lo))
  })
})
