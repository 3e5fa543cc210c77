import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { startSalesRabbitEmulator, type SalesRabbitEmulatorOptions } from './index.ts'
import { LEAD_KEYS, leadSchema, USER_KEYS, userSchema, type Lead, type User } from './records.ts'

const running: RunningEmulator[] = []
async function start(options: SalesRabbitEmulatorOptions = {}) {
  const emulator = await startSalesRabbitEmulator({ rows: 300, ...options })
  running.push(emulator)
  return emulator
}
afterAll(() => Promise.all(running.map((e) => e.close())))

async function get(emulator: RunningEmulator, path: string, headers: Record<string, string> = {}) {
  const auth = { authorization: `Bearer ${emulator.env.SALESRABBIT_API_TOKEN}` }
  const res = await fetch(emulator.url + path, { headers: { ...auth, ...headers } })
  return { status: res.status, headers: res.headers, body: (await res.json()) as any }
}

async function allLeads(emulator: RunningEmulator, headers: Record<string, string> = {}): Promise<Lead[]> {
  const leads: Lead[] = []
  for (let page = 1; ; page++) {
    const { body } = await get(emulator, `/leads?page=${page}&perPage=70`, headers)
    leads.push(...body.data)
    if (!body.meta.morePages) return leads
  }
}

describe('SalesRabbit emulator API', () => {
  let emulator: RunningEmulator
  beforeAll(async () => {
    emulator = await start()
  })

  it('answers the root without a token and refuses a missing or wrong token', async () => {
    expect(emulator.env).toEqual({
      SALESRABBIT_API_TOKEN: 'emulator-salesrabbit-token',
      SALESRABBIT_API_URL: emulator.url,
    })
    expect((await fetch(emulator.url + '/')).status).toBe(200)
    expect(await (await fetch(emulator.url + '/')).json()).toEqual({ api: 'OK' })
    const missing = await fetch(emulator.url + '/leads')
    expect(missing.status).toBe(401)
    expect(await missing.json()).toEqual({ error: { code: 401, message: 'Unauthorized' } })
    const wrong = await fetch(emulator.url + '/users', { headers: { authorization: 'Bearer nope' } })
    expect(wrong.status).toBe(401)
  })

  it('pages leads in the observed envelope, all keys present, in a stable order not by id', async () => {
    const first = await get(emulator, '/leads?perPage=50')
    expect(first.status).toBe(200)
    expect(first.body.meta).toEqual({ currentPage: 1, morePages: true, resultsPerPage: 50 })
    expect(first.body.data).toHaveLength(50)
    for (const lead of first.body.data) {
      expect(Object.keys(lead)).toEqual(LEAD_KEYS)
      expect(leadSchema.parse(lead)).toEqual(lead)
      expect(lead.deletedAt).toBe('')
    }
    expect((await get(emulator, '/leads?perPage=50')).body).toEqual(first.body)
    expect((await get(emulator, '/leads?page=0&perPage=50')).body).toEqual(first.body)

    const leads = await allLeads(emulator)
    const ids = leads.map((l) => l.id)
    expect(new Set(ids).size).toBe(300)
    expect(await emulator.tables()).toEqual({ leads: 300, users: 10 })
    expect(ids).not.toEqual([...ids].sort((a, b) => a - b))
    const modified = leads.map((l) => l.dateModified)
    expect(modified).not.toEqual([...modified].sort())
    // second precision and bulk changes: many leads share one dateModified
    const counts = new Map<string, number>()
    for (const m of modified) counts.set(m, (counts.get(m) ?? 0) + 1)
    const ties = Math.max(...counts.values())
    expect(ties).toBeGreaterThanOrEqual(10)
    const beyond = await get(emulator, '/leads?page=99&perPage=70')
    expect(beyond.body).toEqual({ data: [], meta: { currentPage: 99, morePages: false, resultsPerPage: 70 } })
  })

  it('accepts perPage, limit and pageSize, caps the size at 2000 and refuses nonsense', async () => {
    expect((await get(emulator, '/leads?limit=5')).body.data).toHaveLength(5)
    expect((await get(emulator, '/leads?pageSize=7')).body.meta.resultsPerPage).toBe(7)
    expect((await get(emulator, '/leads?perPage=3&limit=9')).body.data).toHaveLength(3)
    const big = await start({ rows: 2100 })
    const meta = { currentPage: 1, morePages: true, resultsPerPage: 2000 }
    expect((await get(big, '/leads')).body.meta).toEqual(meta)
    const capped = await get(big, '/leads?perPage=5000')
    expect(capped.body.data).toHaveLength(2000)
    expect(capped.body.meta.resultsPerPage).toBe(2000)
    expect((await get(big, '/leads?page=2&limit=5000')).body.data).toHaveLength(100)
    expect((await get(emulator, '/leads?perPage=abc')).status).toBe(400)
    expect((await get(emulator, '/leads?limit=0')).status).toBe(400)
  })

  it('filters on If-Modified-Since in its three spellings, and 400s an unreadable one', async () => {
    const leads = await allLeads(emulator)
    const since = [...leads.map((l) => l.dateModified)].sort()[200]
    const expected = leads.filter((l) => l.dateModified >= since).map((l) => l.id).sort()
    const httpDate = new Date(since.replace('+00:00', 'Z')).toUTCString()
    for (const header of [since, since.replace('+00:00', 'Z'), httpDate]) {
      const ids = (await allLeads(emulator, { 'if-modified-since': header })).map((l) => l.id).sort()
      expect(ids, header).toEqual(expected)
    }
    const bad = await get(emulator, '/leads', { 'if-modified-since': 'last tuesday' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe(400)
    const ignoring = await start({ honorIfModifiedSince: false })
    expect(await allLeads(ignoring, { 'if-modified-since': '2099-01-01T00:00:00+00:00' })).toHaveLength(300)
  })

  it('serves one lead by id, 404 otherwise', async () => {
    const [lead] = (await get(emulator, '/leads?limit=1')).body.data
    expect((await get(emulator, `/leads/${lead.id}`)).body).toEqual({ data: lead })
    expect((await get(emulator, '/leads/999999999')).status).toBe(404)
    expect((await get(emulator, '/leads/abc')).status).toBe(404)
  })

  it('returns every user on every page by default, with morePages always true', async () => {
    const first = await get(emulator, '/users?page=0&limit=3')
    const later = await get(emulator, '/users?page=5&limit=3')
    expect(first.body.data).toHaveLength(10)
    expect(later.body.data).toEqual(first.body.data)
    expect(later.body.meta).toEqual({ currentPage: 5, morePages: true, resultsPerPage: 3 })
    for (const user of first.body.data as User[]) {
      expect(Object.keys(user)).toEqual(USER_KEYS)
      expect(userSchema.parse(user)).toEqual(user)
    }
  })

  it('pages users normally without the quirk, and filters them on If-Modified-Since', async () => {
    const plain = await start({ usersEveryPage: false })
    const pages = [1, 2, 3].map((page) => get(plain, `/users?page=${page}&perPage=4`))
    const bodies = (await Promise.all(pages)).map((p) => p.body)
    expect(bodies.map((b) => b.data.length)).toEqual([4, 4, 2])
    expect(bodies.map((b) => b.meta.morePages)).toEqual([true, true, false])
    const users: User[] = bodies.flatMap((b) => b.data)
    const since = users.map((u) => u.dateModified).sort()[5]
    const recent = await get(plain, '/users', { 'if-modified-since': since })
    const expected = users.filter((u) => u.dateModified >= since).map((u) => u.id)
    expect(recent.body.data.map((u: User) => u.id)).toEqual(expected)
  })

  it('generates the same data for the same seed, different data for another', async () => {
    const [a, b, c] = await Promise.all([start({ seed: 7 }), start({ seed: 7 }), start({ seed: 8 })])
    const page = (e: RunningEmulator) => get(e, '/leads?perPage=100').then((r) => r.body)
    expect(await page(a)).toEqual(await page(b))
    expect(await page(a)).not.toEqual(await page(c))
  })

  it('answers 429 with Retry-After and X-RateLimit headers beyond the per-minute limit', async () => {
    const limited = await start({ rateLimit: { perMinute: 2 } })
    const ok = await get(limited, '/leads?limit=1')
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-ratelimit-limit')).toBe('2')
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('1')
    expect((await get(limited, '/users')).status).toBe(200)
    const refused = await get(limited, '/leads?limit=1')
    expect(refused.status).toBe(429)
    expect(refused.body).toEqual({ error: { code: 429, message: 'Too Many Requests' } })
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60)
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0')
    expect(Number(refused.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000)
  })
})
