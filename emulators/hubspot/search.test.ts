import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { startHubSpotEmulator } from './index.ts'

/** Search semantics a sync depends on: operators, the 10,000 window, the tie, the index lag. */
let em: RunningEmulator
const TIE_AT = '2025-06-30T12:00:00.000Z'

async function search(body: unknown, on: RunningEmulator = em) {
  const res = await fetch(`${on.url}/crm/v3/objects/contacts/search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${on.env.HUBSPOT_API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: await res.json() }
}

interface Filter {
  propertyName: string
  operator: string
  value?: string
  values?: string[]
  highValue?: string
}
const where = (...filters: Filter[]) => ({ filterGroups: [{ filters }] })
type Row = { id: string; properties: Record<string, string | null> }
const ids = (body: { results: Row[] }) => body.results.map((r) => Number(r.id))

beforeAll(async () => {
  // more tied records than one search window holds: the Airbyte #43317 situation
  const tie = { size: 10_250, at: TIE_AT }
  em = await startHubSpotEmulator({ rows: 400, tie, limits: { searchPerSecond: 10_000 } })
})
afterAll(() => em.close())

describe('search', () => {
  it('pages a tie past 10,000 only by id keyset, and refuses to page beyond the window', async () => {
    const value = String(Date.parse(TIE_AT))
    const tied: Filter = { propertyName: 'lastmodifieddate', operator: 'EQ', value }
    const first = await search({ ...where(tied), sorts: ['lastmodifieddate'], limit: 200, after: '9800' })
    expect(first.status).toBe(200)
    expect(first.body.total).toBe(10_250)
    expect(first.body.paging.next.after).toBe('10000')
    const beyond = await search({ ...where(tied), limit: 200, after: '10000' })
    expect(beyond.status).toBe(400)
    expect(beyond.body.category).toBe('VALIDATION_ERROR')
    // the cycle breaker: same timestamp, ids above the last one seen, in id order
    const lastId = ids(first.body).at(-1)!
    const above: Filter = { propertyName: 'hs_object_id', operator: 'GT', value: String(lastId) }
    const sorts = [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }]
    const rest = await search({ ...where(tied, above), sorts, limit: 200 })
    expect(rest.body.total).toBe(250)
    expect(ids(rest.body)[0]).toBeGreaterThan(lastId)
  })

  it('compares numbers, dates and text the way HubSpot does', async () => {
    // hs_object_id is numeric: "1000" > "999" even though it sorts lower as text
    const above999: Filter = { propertyName: 'hs_object_id', operator: 'GT', value: '999' }
    const gt = await search({ ...where(above999), limit: 9 })
    expect(ids(gt.body).every((id) => id > 999)).toBe(true)
    expect(ids(gt.body)).toEqual([...ids(gt.body)].sort((a, b) => a - b))
    const highValue = String(Date.parse('2024-12-31T23:59:59.999Z'))
    const between = await search(
      where({ propertyName: 'createdate', operator: 'BETWEEN', value: '2024-01-01T00:00:00Z', highValue }),
    )
    expect(between.body.total).toBeGreaterThan(0)
    const inList = where({ propertyName: 'lifecyclestage', operator: 'IN', values: ['LEAD', 'customer'] })
    const found = await search({ ...inList, properties: ['lifecyclestage'], limit: 50 })
    const stages = new Set(found.body.results.map((r: Row) => r.properties.lifecyclestage))
    expect([...stages].sort()).toEqual(['customer', 'lead'])
    const unset = await search(where({ propertyName: 'mobilephone', operator: 'NOT_HAS_PROPERTY' }))
    const set = await search(where({ propertyName: 'mobilephone', operator: 'HAS_PROPERTY' }))
    expect(unset.body.total + set.body.total).toBe(10_250)
    const roofing = { propertyName: 'services_interested', operator: 'CONTAINS_TOKEN', value: 'roofing' }
    const token = await search(where(roofing))
    expect(token.body.total).toBeGreaterThan(0)
    // groups are OR'ed
    const tier = (value: string): Filter => ({ propertyName: 'tier', operator: 'EQ', value })
    const either = await search({ filterGroups: [{ filters: [tier('A')] }, { filters: [tier('B')] }] })
    const [a, b] = await Promise.all([search(where(tier('A'))), search(where(tier('B')))])
    expect(either.body.total).toBe(a.body.total + b.body.total)
  })

  it('enforces HubSpot’s request limits with VALIDATION_ERROR', async () => {
    const filter = { propertyName: 'tier', operator: 'EQ', value: 'A' }
    const groups = (count: number, size: number) =>
      Array.from({ length: count }, () => ({ filters: Array.from({ length: size }, () => filter) }))
    const cases = [
      { limit: 201 },
      { filterGroups: groups(6, 1) },
      { filterGroups: groups(1, 7) },
      { filterGroups: groups(4, 5) },
      where({ propertyName: 'no_such_property', operator: 'EQ', value: 'x' }),
    ]
    for (const body of cases) expect((await search(body)).body.category).toBe('VALIDATION_ERROR')
  })

  it('hides fresh writes for searchLagMs, but not from the list endpoint', async () => {
    // an hour's lag first, so the write is certainly still hidden however slowly this test runs
    const lagged = await startHubSpotEmulator({ rows: 30, searchLagMs: 3_600_000, tie: { size: 0 } })
    try {
      const at = '2026-11-25T00:00:00.000Z'
      const mutate = { table: 'contacts', updates: 1, modifiedAt: at }
      const res = await fetch(`${lagged.url}/_admin/mutate`, { method: 'POST', body: JSON.stringify(mutate) })
      const [updated] = (await res.json()).updated
      const since = where({ propertyName: 'lastmodifieddate', operator: 'GTE', value: at })
      const probe = async () => (await search(since, lagged)).body.total
      expect(await probe()).toBe(0)
      const headers = { authorization: `Bearer ${lagged.env.HUBSPOT_API_TOKEN}` }
      const get = await fetch(`${lagged.url}/crm/v3/objects/contacts/${updated.id}`, { headers })
      expect((await get.json()).updatedAt).toBe(at)
      // then a short lag: the write shows up once it is older than that (polled, not slept on)
      await fetch(`${lagged.url}/_admin/settings`, { method: 'POST', body: JSON.stringify({ searchLagMs: 300 }) })
      await expect.poll(probe, { timeout: 60_000, interval: 100 }).toBe(1)
    } finally {
      await lagged.close()
    }
  })
})
