import { afterAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { startSalesRabbitEmulator, type SalesRabbitEmulatorOptions } from './index.ts'
import { LEAD_KEYS, type Lead, type User } from './records.ts'

const running: RunningEmulator[] = []
async function start(options: SalesRabbitEmulatorOptions = {}) {
  const emulator = await startSalesRabbitEmulator({ rows: 200, ...options })
  running.push(emulator)
  return emulator
}
afterAll(() => Promise.all(running.map((e) => e.close())))

async function get(emulator: RunningEmulator, path: string, headers: Record<string, string> = {}) {
  const auth = { authorization: `Bearer ${emulator.env.SALESRABBIT_API_TOKEN}` }
  return fetch(emulator.url + path, { headers: { ...auth, ...headers } })
}

async function admin(emulator: RunningEmulator, method: string, path: string, body?: unknown) {
  const init = { method, body: body === undefined ? undefined : JSON.stringify(body) }
  const res = await fetch(`${emulator.url}/_admin/${path}`, init)
  return { status: res.status, body: (await res.json()) as any }
}

const AT = '2026-11-26T10:00:00+00:00'
const changedSince = async (emulator: RunningEmulator, since: string, table = 'leads') =>
  ((await (await get(emulator, `/${table}`, { 'if-modified-since': since })).json()) as any).data

describe('SalesRabbit emulator admin', () => {
  it('updates leads with realistic changes stamped at `at`, visible through If-Modified-Since', async () => {
    const emulator = await start()
    const { status, body } = await admin(emulator, 'POST', 'mutate', { table: 'leads', updates: 5, at: AT })
    expect(status).toBe(200)
    expect(body.updated).toHaveLength(5)
    for (const { values } of body.updated) {
      expect(values.dateModified).toBe(AT)
      expect(Object.keys(values).length).toBeGreaterThan(1)
      if ('status' in values) expect(values.statusModified).toBe(AT)
    }
    const changed: Lead[] = await changedSince(emulator, AT)
    expect(changed.map((l) => l.id).sort()).toEqual(body.updated.map((u: any) => u.id).sort())

    const [target] = changed
    const explicit = await admin(emulator, 'POST', 'mutate', {
      table: 'leads',
      updates: [{ id: target.id, set: { status: 'Customer', userId: 2 } }],
      at: '2026-11-26T11:00:00Z',
    })
    const values = explicit.body.updated[0].values
    expect(values).toMatchObject({ status: 'Customer', dateModified: '2026-11-26T11:00:00+00:00' })
    expect(values.statusModified).toBe('2026-11-26T11:00:00+00:00')
    if (target.userId !== 2) expect(values).toMatchObject({ userId: 2, userName: ' Jamie AdminTest' })
  })

  it('inserts new leads and soft-deletes others, both still served', async () => {
    const emulator = await start()
    const request = { table: 'leads', inserts: 3, deletes: 2, at: AT }
    const { body } = await admin(emulator, 'POST', 'mutate', request)
    expect(body.inserted).toHaveLength(3)
    expect(body.deleted).toHaveLength(2)
    expect(await emulator.tables()).toEqual({ leads: 203, users: 10 })
    for (const { values } of body.inserted) {
      expect(values).toMatchObject({ dateCreated: AT, dateModified: AT, deletedAt: '' })
      expect(Object.keys(values)).toEqual(LEAD_KEYS)
    }
    const changed: Lead[] = await changedSince(emulator, AT)
    expect(changed).toHaveLength(5)
    for (const id of body.deleted) {
      const lead = changed.find((l) => l.id === id)!
      expect(lead).toMatchObject({ deletedAt: AT, dateModified: AT })
      expect(((await (await get(emulator, `/leads/${id}`)).json()) as any).data.deletedAt).toBe(AT)
    }
    const insert = { table: 'leads', inserts: [{ firstName: "D'Arcy" }] }
    const named = await admin(emulator, 'POST', 'mutate', insert)
    expect(named.body.inserted[0].values.firstName).toBe("D'Arcy")
    expect(named.body.inserted[0].values.dateCreated >= AT).toBe(true)
  })

  it('deactivates users on delete and picks the same rows for the same seed', async () => {
    const [a, b] = await Promise.all([start({ seed: 3 }), start({ seed: 3 })])
    const request = { table: 'users', updates: 2, deletes: 1, inserts: 1, at: AT }
    const [ra, rb] = await Promise.all([a, b].map((e) => admin(e, 'POST', 'mutate', request)))
    expect(ra.body).toEqual(rb.body)
    const users: User[] = await changedSince(a, AT, 'users')
    expect(users).toHaveLength(4)
    expect(users.find((u) => u.id === ra.body.deleted[0])?.active).toBe(false)
    expect(await a.tables()).toEqual({ leads: 200, users: 11 })
  })

  it('refuses a malformed mutation', async () => {
    const emulator = await start()
    expect((await admin(emulator, 'POST', 'mutate', { table: 'deals', updates: 1 })).status).toBe(400)
    expect((await admin(emulator, 'POST', 'mutate', { table: 'leads', at: 'tomorrow' })).status).toBe(400)
    const [lead] = ((await (await get(emulator, '/leads?limit=1')).json()) as any).data
    const unknownKey = { table: 'leads', updates: [{ id: lead.id, set: { colour: 'red' } }] }
    expect((await admin(emulator, 'POST', 'mutate', unknownKey)).status).toBe(400)
    const badType = { table: 'leads', updates: [{ id: lead.id, set: { latitude: 'north' } }] }
    expect((await admin(emulator, 'POST', 'mutate', badType)).status).toBe(400)
    const missing = { table: 'leads', updates: [{ id: 5, set: { notes: 'x' } }], deletes: [lead.id] }
    expect((await admin(emulator, 'POST', 'mutate', missing)).status).toBe(404)
    // a refused mutation changes nothing, not even the parts that were valid
    expect(((await (await get(emulator, `/leads/${lead.id}`)).json()) as any).data).toEqual(lead)
  })

  it('counts requests by route and status, dropped ones included', async () => {
    const emulator = await start()
    await get(emulator, '/leads?limit=1')
    await get(emulator, '/leads?limit=1')
    await fetch(emulator.url + '/users')
    await admin(emulator, 'POST', 'faults', { drop: { count: 1 } })
    await expect(get(emulator, '/leads/1')).rejects.toThrow()
    const { body } = await admin(emulator, 'GET', 'stats')
    expect(body).toEqual({
      total: 4,
      byRoute: { 'GET /leads': { '200': 2 }, 'GET /users': { '401': 1 }, 'GET /leads/:id': { dropped: 1 } },
    })
    expect((await admin(emulator, 'POST', 'stats/reset')).body).toEqual({ total: 0, byRoute: {} })
  })

  it('answers the shared throttle fault with the API 429 and Retry-After', async () => {
    const emulator = await start()
    await admin(emulator, 'POST', 'faults', { throttle: { count: 2, retryAfterSeconds: 3 } })
    const throttled = await get(emulator, '/leads')
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toBe('3')
    expect(await throttled.json()).toEqual({ error: { code: 429, message: 'Too Many Requests' } })
    expect((await get(emulator, '/leads')).status).toBe(429)
    expect((await get(emulator, '/leads')).status).toBe(200)
    await admin(emulator, 'POST', 'faults', { throttle: { count: 1 } })
    expect((await get(emulator, '/users')).headers.get('retry-after')).toBe('1')
  })

  it('injects malformed leads and truncated JSON on demand', async () => {
    const emulator = await start()
    const set = await admin(emulator, 'POST', 'source-faults', { malformed: { count: 2 } })
    expect(set.body.settings.malformed).toEqual({ count: 2 })
    const pages = []
    for (let page = 1; page <= 3; page++) {
      pages.push(await (await get(emulator, `/leads?page=${page}&perPage=50`)).json())
    }
    const isBroken = (lead: any) => typeof lead.id !== 'number' || !('dateModified' in lead)
    const broken = pages.map((p: any) => p.data.filter(isBroken))
    expect(broken.map((b) => b.length)).toEqual([1, 1, 0])
    expect(pages.map((p: any) => p.data.length)).toEqual([51, 51, 50])

    await admin(emulator, 'POST', 'source-faults', { brokenJson: { count: 1, path: '^/users' } })
    expect((await get(emulator, '/leads?limit=1')).ok).toBe(true)
    const truncated = await get(emulator, '/users')
    expect(truncated.status).toBe(200)
    await expect(truncated.json()).rejects.toThrow()
    expect(((await (await get(emulator, '/users')).json()) as any).data).toHaveLength(10)

    const state = await admin(emulator, 'GET', 'source-faults')
    expect(state.body.served).toEqual({ malformed: 2, brokenJson: 1 })
    expect((await admin(emulator, 'DELETE', 'source-faults')).body).toEqual({
      settings: {},
      served: { malformed: 0, brokenJson: 0 },
    })
    expect((await admin(emulator, 'POST', 'source-faults', { malformed: { count: -1 } })).status).toBe(400)
    const badPath = { brokenJson: { count: 1, path: '(' } }
    expect((await admin(emulator, 'POST', 'source-faults', badPath)).status).toBe(400)
  })
})
