import { afterEach, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { startHubSpotEmulator, type HubSpotEmulatorOptions } from './index.ts'

/** Determinism of the seeded data, and what the admin's mutations do to the API's answers. */
const running: RunningEmulator[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((em) => em.close()))
})

type Row = { id: string; properties: Record<string, string | null>; archivedAt?: string }
type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>

async function start(options: HubSpotEmulatorOptions) {
  const limits = { tenSecondly: 100_000, searchPerSecond: 10_000 }
  const em = await startHubSpotEmulator({ limits, ...options })
  running.push(em)
  const call: Call = async (method, path, body) => {
    const res = await fetch(`${em.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${em.env.HUBSPOT_API_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: await res.json() }
  }
  const admin = async (path: string, body: unknown) => (await call('POST', `/_admin/${path}`, body)).body
  return { em, call, admin }
}

async function listAll(call: Call, type: string, query = ''): Promise<Row[]> {
  const out: Row[] = []
  let after = ''
  do {
    const page = after && `&after=${after}`
    const { body } = await call('GET', `/crm/v3/objects/${type}?limit=100${query}${page}`)
    out.push(...body.results)
    after = body.paging?.next?.after ?? ''
  } while (after)
  return out
}

const modifiedSince = (iso: string) => {
  const filter = { propertyName: 'lastmodifieddate', operator: 'GTE', value: String(Date.parse(iso)) }
  return { filterGroups: [{ filters: [filter] }] }
}

describe('seeded data', () => {
  it('is the same for one seed, the admin’s random picks included, and differs for another', async () => {
    const runs = await Promise.all([7, 7, 8].map((seed) => start({ rows: 120, seed })))
    const snapshot = async ({ call, admin }: (typeof runs)[number]) => {
      const modifiedAt = '2026-11-01T00:00:00.000Z'
      const mutated = await admin('mutate', { table: 'contacts', updates: 3, deletes: 2, modifiedAt })
      const properties = '&properties=firstname,lastname,email,phone,division,services_interested'
      const contacts = await listAll(call, 'contacts', properties)
      const deals = await listAll(call, '0-3')
      return JSON.stringify({ mutated, contacts, deals })
    }
    const [a, b, c] = await Promise.all(runs.map(snapshot))
    expect(a).toBe(b)
    expect(a).not.toBe(c)
  })

  it('has the proportions, associations and tie the options ask for', async () => {
    const { em, call } = await start({ rows: 1000 })
    expect(await em.tables()).toMatchObject({
      contacts: 1000,
      companies: 200,
      deals: 333,
      appointments: 500,
      divisions: 20,
      genius_users: 200,
      owners: 50,
      assoc_contact_appointment: 500,
    })
    const tie = { propertyName: 'lastmodifieddate', operator: 'EQ', value: '2026-03-31T23:17:42.318Z' }
    const tied = await call('POST', '/crm/v3/objects/contacts/search', { filterGroups: [{ filters: [tie] }] })
    expect(tied.body.total).toBe(100)
    const [contact] = await listAll(call, 'contacts', '&properties=price,clickcheck,appointment_date')
    expect(Object.values(contact.properties).every((v) => v === null || typeof v === 'string')).toBe(true)
    // a list limit above 100 is clamped by default
    expect((await call('GET', '/crm/v3/objects/contacts?limit=500')).body.results).toHaveLength(100)
  })

  it('rejects a list limit above 100 when asked to', async () => {
    const { call } = await start({ rows: 10, maxListLimit: 'reject' })
    const answer = await call('GET', '/crm/v3/objects/contacts?limit=101')
    expect(answer.status).toBe(400)
    expect(answer.body.category).toBe('VALIDATION_ERROR')
  })
})

describe('admin mutations', () => {
  it('updates, archives, restores and inserts the way HubSpot shows them', async () => {
    const { em, call, admin } = await start({ rows: 200 })
    const at = '2026-11-20T10:00:00.123Z'
    const mutation = { table: 'contacts', updates: 2, deletes: 1, inserts: 1, modifiedAt: at }
    const result = await admin('mutate', mutation)
    expect(result.updated).toHaveLength(2)
    expect(result.updated[0].properties.lastmodifieddate).toBe(at)
    const [deleted] = result.deleted
    const inserted = result.inserted[0].id

    const query = { ...modifiedSince(at), sorts: ['hs_object_id'] }
    const changed = await call('POST', '/crm/v3/objects/contacts/search', query)
    const updatedIds: string[] = result.updated.map((u: Row) => u.id)
    updatedIds.sort((a, b) => Number(a) - Number(b))
    expect(changed.body.results.map((r: Row) => r.id)).toEqual([...updatedIds, inserted])

    // an archived record: gone from list, get, search and batch read; only in archived=true
    expect((await call('GET', `/crm/v3/objects/contacts/${deleted}`)).status).toBe(404)
    expect((await listAll(call, 'contacts')).some((c) => c.id === deleted)).toBe(false)
    const archived = await listAll(call, 'contacts', '&archived=true')
    expect(archived.map((c) => c.id)).toEqual([deleted])
    expect(archived[0].archivedAt).toBe(at)
    const read = await call('POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: deleted }] })
    expect(read.status).toBe(207)
    expect((await em.tables()).contacts).toBe(200)

    const restoredAt = '2026-11-21T00:00:00.000Z'
    const restore = await admin('mutate', { table: '0-1', restores: [deleted], modifiedAt: restoredAt })
    expect(restore.restored).toEqual([deleted])
    const back = await call('GET', `/crm/v3/objects/contacts/${deleted}`)
    expect(back.body.properties.lastmodifieddate).toBe(restoredAt)
    expect(back.body.updatedAt).toBe(restoredAt)
  })

  it('inserts appointments with their contact and edits association tables', async () => {
    const { em, call, admin } = await start({ rows: 100 })
    const before = await em.tables()
    const insert = { properties: { appointment_status: 'scheduled' } }
    const { inserted } = await admin('mutate', { table: 'appointments', inserts: [insert] })
    expect(inserted[0].properties.appointment_status).toBe('scheduled')
    const links = await call('GET', `/crm/v4/objects/0-421/${inserted[0].id}/associations/contacts`)
    expect(links.body.results).toHaveLength(1)
    expect(links.body.results[0].associationTypes[0].typeId).toBe(906)

    const removed = await admin('mutate', { table: 'assoc_deal_contact', deletes: 2 })
    expect(removed.deleted).toHaveLength(2)
    const after = await em.tables()
    expect(after.assoc_contact_appointment).toBe(before.assoc_contact_appointment + 1)
    expect(after.assoc_deal_contact).toBe(before.assoc_deal_contact - 2)
    const typo = { table: 'contacts', updates: [{ id: '101', properties: { no_such: 'x' } }] }
    expect((await call('POST', '/_admin/mutate', typo)).status).toBe(400)
  })
})
