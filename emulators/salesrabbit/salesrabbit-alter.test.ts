import { afterAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { startSalesRabbitEmulator } from './index.ts'
import { LEAD_KEYS, USER_KEYS } from './records.ts'

/** `POST /_admin/alter` seen through the REST API the way crmsync's client reads it. */
const running: RunningEmulator[] = []
async function start(seed = 1) {
  const emulator = await startSalesRabbitEmulator({ rows: 200, seed })
  running.push(emulator)
  return emulator
}
afterAll(() => Promise.all(running.map((e) => e.close())))

const AT = '2026-12-01T09:15:00+00:00'
type Record_ = Record<string, unknown> & { id: number; dateModified: string }
type Touched = { key: string; values: Record<string, unknown> }

async function get(emulator: RunningEmulator, path: string, headers: Record<string, string> = {}) {
  const auth = { authorization: `Bearer ${emulator.env.SALESRABBIT_API_TOKEN}` }
  const response = await fetch(emulator.url + path, { headers: { ...auth, ...headers } })
  expect(response.status).toBe(200)
  return (await response.json()) as any
}

async function post(emulator: RunningEmulator, path: string, body: unknown) {
  const response = await fetch(`${emulator.url}/_admin/${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as any }
}

async function allLeads(emulator: RunningEmulator, headers: Record<string, string> = {}): Promise<Record_[]> {
  const leads: Record_[] = []
  for (let page = 1; ; page++) {
    const answer = await get(emulator, `/leads?page=${page}&perPage=50`, headers)
    leads.push(...answer.data)
    if (!answer.meta.morePages) return leads
  }
}

describe('SalesRabbit POST /_admin/alter', () => {
  it('gives every lead the new top-level fields, null until touched, values and a new dateModified when touched', async () => {
    const emulator = await start()
    const add = [
      { name: 'loyaltyTier', type: 'string' },
      { name: 'doorVisits', type: 'integer' },
      { name: 'roofPitch', type: 'number' },
      { name: 'hasPool', type: 'boolean' },
    ]
    const { status, body } = await post(emulator, 'alter', { resource: 'leads', add, touch: 40, at: AT })
    expect(status).toBe(200)
    expect(body).toMatchObject({
      resource: 'leads',
      added: ['loyaltyTier', 'doorVisits', 'roofPitch', 'hasPool'],
    })
    const touched = body.touched as Touched[]
    expect(touched).toHaveLength(40)
    for (const { key, values } of touched) {
      expect(key).toMatch(/^\d+$/)
      expect(Object.keys(values).sort()).toEqual([
        'dateModified',
        'doorVisits',
        'hasPool',
        'loyaltyTier',
        'roofPitch',
      ])
      expect(values.dateModified).toBe(AT)
    }
    const column = (name: string) => touched.map((t) => t.values[name]).filter((v) => v !== null)
    for (const { name } of add) expect(column(name).length, name).toBeGreaterThan(25)
    expect(add.some(({ name }) => column(name).length < 40)).toBe(true)
    expect(new Set(column('loyaltyTier'))).toEqual(new Set(['Bronze', 'Silver', 'Gold', 'Platinum']))
    expect(column('doorVisits').every((v) => Number.isInteger(v))).toBe(true)
    expect(column('roofPitch').every((v) => typeof v === 'number')).toBe(true)
    expect(column('hasPool').every((v) => typeof v === 'boolean')).toBe(true)

    const byId = new Map(touched.map((t) => [Number(t.key), t.values]))
    const leads = await allLeads(emulator)
    expect(leads).toHaveLength(200)
    const keys = [...LEAD_KEYS, ...add.map((f) => f.name)].sort()
    for (const lead of leads) {
      // the real API answers keys alphabetically; the new ones take their place among them
      expect(Object.keys(lead)).toEqual(keys)
      const values = byId.get(lead.id)
      for (const { name } of add) expect(lead[name]).toEqual(values ? values[name] : null)
    }
    const changed = await allLeads(emulator, { 'if-modified-since': AT })
    expect(changed.map((l) => l.id).sort()).toEqual([...byId.keys()].sort())
    const [first] = touched
    const one = await get(emulator, `/leads/${first.key}`)
    expect(one.data).toMatchObject(first.values)
  })

  it('adds fields to users too, and later mutations fill and validate them', async () => {
    const emulator = await start()
    const { body } = await post(emulator, 'alter', {
      resource: 'users',
      add: [{ name: 'badgeNumber', type: 'string' }],
      touch: 3,
      at: AT,
    })
    expect(body.touched).toHaveLength(3)
    const users = (await get(emulator, '/users')).data as Record_[]
    expect(
      users.every(
        (u) => JSON.stringify(Object.keys(u)) === JSON.stringify([...USER_KEYS, 'badgeNumber'].sort()),
      ),
    ).toBe(true)
    expect(
      users
        .filter((u) => u.badgeNumber !== null)
        .map((u) => String(u.id))
        .sort(),
    ).toEqual(
      (body.touched as Touched[])
        .filter((t) => t.values.badgeNumber !== null)
        .map((t) => t.key)
        .sort(),
    )

    await post(emulator, 'alter', { resource: 'leads', add: [{ name: 'loyaltyTier', type: 'string' }] })
    const [lead] = (await get(emulator, '/leads?perPage=1')).data as Record_[]
    const update = await post(emulator, 'mutate', {
      table: 'leads',
      updates: [{ id: lead.id, set: { loyaltyTier: 'Gold' } }],
    })
    expect(update.body.updated[0].values).toMatchObject({ loyaltyTier: 'Gold' })
    const wrongType = await post(emulator, 'mutate', {
      table: 'leads',
      updates: [{ id: lead.id, set: { loyaltyTier: 7 } }],
    })
    expect(wrongType.status).toBe(400)
    const inserted = await post(emulator, 'mutate', { table: 'leads', inserts: 20 })
    const rows = inserted.body.inserted.map((r: { values: Record<string, unknown> }) => r.values)
    for (const row of rows) expect(Object.keys(row)).toEqual([...LEAD_KEYS, 'loyaltyTier'].sort())
    expect(
      rows.filter((row: Record<string, unknown>) => typeof row.loyaltyTier === 'string').length,
    ).toBeGreaterThan(10)
  })

  it('refuses bad requests with 400 naming the problem, and changes nothing', async () => {
    const emulator = await start()
    const before = await allLeads(emulator)
    const cases: [unknown, RegExp][] = [
      [{ resource: 'deals', add: [{ name: 'tier', type: 'string' }] }, /expected one of "leads"\|"users"/],
      [
        { resource: 'leads', add: [{ name: 'tier', type: 'date' }] },
        /expected one of "string"\|"integer"\|"number"\|"boolean"/,
      ],
      [{ resource: 'leads', add: [{ name: 'status', type: 'string' }] }, /leads already have a field status/],
      [{ resource: 'users', add: [{ name: 'team', type: 'string' }] }, /users already have a field team/],
      [{ resource: 'leads', add: [{ name: 'loyalty_tier', type: 'string' }] }, /camelCase/],
      [
        {
          resource: 'leads',
          add: [
            { name: 'tier', type: 'string' },
            { name: 'tier', type: 'integer' },
          ],
        },
        /tier is named twice/,
      ],
      [{ resource: 'leads', touch: -1 }, /touch/],
      [{ resource: 'leads', at: 'tomorrow' }, /not a timestamp/],
      [
        {
          resource: 'leads',
          add: [
            { name: 'fine', type: 'string' },
            { name: 'email', type: 'string' },
          ],
          touch: 5,
        },
        /email/,
      ],
    ]
    for (const [request, message] of cases) {
      const { status, body } = await post(emulator, 'alter', request)
      expect([JSON.stringify(request), status]).toEqual([JSON.stringify(request), 400])
      expect(body.error).toMatch(message)
    }
    expect(await allLeads(emulator)).toEqual(before)
  })

  it('touches the same records with the same values for the same seed', async () => {
    const [a, b] = await Promise.all([start(5), start(5)])
    const request = { resource: 'leads', add: [{ name: 'loyaltyTier', type: 'string' }], touch: 12, at: AT }
    const [ra, rb] = await Promise.all([a, b].map((e) => post(e, 'alter', request)))
    expect(ra.body.touched).toHaveLength(12)
    expect(rb.body).toEqual(ra.body)
  })
})
