import { Client } from '@hubspot/api-client'
import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/models/Filter.js'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { startHubSpotEmulator } from './index.ts'

/** The official `@hubspot/api-client` 13.x, pointed at the emulator with `basePath`, must work unchanged. */
let emulator: RunningEmulator
let client: Client

const clientFor = (em: RunningEmulator, numberOfApiCallRetries = 0) =>
  new Client({
    accessToken: em.env.HUBSPOT_API_TOKEN,
    basePath: em.env.HUBSPOT_BASE_URL,
    numberOfApiCallRetries,
  })
// the SDK types operators as an enum and sorts as strings; the wire takes the plain values
const GTE = 'GTE' as FilterOperatorEnum
const DEFAULT_CONTACT_PROPERTIES = [
  'createdate',
  'email',
  'firstname',
  'hs_object_id',
  'lastmodifieddate',
  'lastname',
]

beforeAll(async () => {
  emulator = await startHubSpotEmulator({ rows: 300, limits: { tenSecondly: 10_000, searchPerSecond: 1000 } })
  client = clientFor(emulator)
})
afterAll(() => emulator.close())

describe('@hubspot/api-client against the emulator', () => {
  it('pages contacts with basicApi.getPage and an opaque after', async () => {
    const properties = ['firstname', 'email', 'services_interested']
    const first = await client.crm.contacts.basicApi.getPage(5, undefined, properties)
    expect(first.results).toHaveLength(5)
    const [contact] = first.results
    expect(contact.createdAt).toBeInstanceOf(Date)
    // the id and both timestamps come along whatever was asked
    const always = ['createdate', 'hs_object_id', 'lastmodifieddate']
    expect(Object.keys(contact.properties).sort()).toEqual([...always, ...properties].sort())
    expect(contact.properties.hs_object_id).toBe(contact.id)
    const after = first.paging?.next?.after
    expect(after).toBeTypeOf('string')
    const second = await client.crm.contacts.basicApi.getPage(5, after)
    expect(Number(second.results[0].id)).toBeGreaterThan(Number(first.results[4].id))
    // no properties asked: HubSpot's default set
    expect(Object.keys(second.results[0].properties).sort()).toEqual(DEFAULT_CONTACT_PROPERTIES)
  })

  it('reads appointments (0-421) through the generic objects API, to the last page', async () => {
    let after: string | undefined
    let seen = 0
    do {
      const page = await client.crm.objects.basicApi.getPage('0-421', 100, after, ['hs_appointment_start'])
      seen += page.results.length
      after = page.paging?.next?.after
    } while (after)
    expect(seen).toBe((await emulator.tables()).appointments)
  })

  it('searches with filters, a sort, offsets and a total', async () => {
    const since = String(Date.parse('2024-01-01T00:00:00Z'))
    const answer = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: GTE, value: since }] }],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' } as unknown as string],
      properties: ['email'],
      limit: 50,
      after: '0',
    })
    expect(answer.total).toBeGreaterThan(50)
    expect(answer.paging?.next?.after).toBe('50')
    const times = answer.results.map((r) => r.properties.lastmodifieddate!)
    expect([...times].sort()).toEqual(times)
    expect(times[0] >= '2024-01-01T00:00:00.000Z').toBe(true)
  })

  it('batch-reads with a 207 naming the missing ids', async () => {
    const page = await client.crm.contacts.basicApi.getPage(2)
    const ids = page.results.map((r) => r.id)
    const inputs = [...ids, '999999999'].map((id) => ({ id }))
    const request = { inputs, properties: ['email'], propertiesWithHistory: [] }
    const answer = await client.crm.contacts.batchApi.read(request)
    expect(answer.results.map((r) => r.id).sort()).toEqual(ids.sort())
    expect('numErrors' in answer && answer.numErrors).toBe(1)
    const errors = 'errors' in answer ? answer.errors : []
    expect(errors?.[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { ids: ['999999999'] } })
    expect(errors?.[0].message).toBe(
      'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
    )
  })

  it('reads v4 associations in both directions', async () => {
    const deals = await client.crm.deals.basicApi.getPage(3)
    const { batchApi } = client.crm.associations.v4
    const inputs = deals.results.map((d) => ({ id: d.id }))
    const forward = await batchApi.getPage('deals', 'contacts', { inputs })
    expect(forward.results).toHaveLength(3)
    const link = forward.results[0]
    expect(link.to[0].associationTypes[0]).toMatchObject({ category: 'HUBSPOT_DEFINED', typeId: 3 })
    const contactId = String(link.to[0].toObjectId)
    const backward = await batchApi.getPage('0-1', '0-3', { inputs: [{ id: contactId }] })
    expect(backward.results[0].to.map((t) => String(t.toObjectId))).toContain(link._from.id)
    const empty = await batchApi.getPage('contacts', 'deals', { inputs: [{ id: '1' }] })
    const subCategory = 'crm.associations.NO_ASSOCIATIONS_FOUND'
    const message = 'No deal is associated with contact 1.'
    expect('errors' in empty && empty.errors?.[0]).toMatchObject({ subCategory, message })
  })

  it('describes properties and owners', async () => {
    const properties = await client.crm.properties.coreApi.getAll('contacts')
    const byName = new Map(properties.results.map((p) => [p.name, p]))
    expect(byName.get('lastmodifieddate')).toMatchObject({ type: 'datetime', fieldType: 'date' })
    expect(byName.get('services_interested')).toMatchObject({ type: 'enumeration', fieldType: 'checkbox' })
    expect(byName.get('services_interested')!.options.length).toBeGreaterThan(2)
    const owners = await client.crm.owners.ownersApi.getPage(undefined, undefined, 20)
    expect(owners.results).toHaveLength(20)
    expect(owners.results[0]).toMatchObject({ type: 'PERSON', archived: false })
    expect(owners.paging?.next?.after).toBeTypeOf('string')
  })

  it('answers apiRequest with HubSpot headers, and the 10k search window with a 400', async () => {
    const ok = await client.apiRequest({ method: 'GET', path: '/crm/v3/objects/contacts?limit=1' })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000')
    const path = '/crm/v3/objects/contacts/search'
    const beyond = await client.apiRequest({ method: 'POST', path, body: { limit: 200, after: '9900' } })
    expect(beyond.status).toBe(400)
    const body = await beyond.json()
    expect(body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' })
    expect(body.message).toContain('10000')
  })

  it('refuses a wrong token with 401 INVALID_AUTHENTICATION', async () => {
    const wrong = new Client({ accessToken: 'nope', basePath: emulator.url })
    const error = await wrong.crm.contacts.basicApi.getPage(1).catch((e) => e)
    expect(error.code).toBe(401)
    expect(error.body).toMatchObject({ category: 'INVALID_AUTHENTICATION' })
    expect(error.body.message).toMatch(/^Authentication credentials not found/)
  })
})

describe('rate limits as HubSpot sends them', () => {
  it('answers the eleventh call in ten seconds with TEN_SECONDLY_ROLLING', async () => {
    const em = await startHubSpotEmulator({ rows: 20, limits: { tenSecondly: 10 } })
    try {
      const headers = { authorization: `Bearer ${em.env.HUBSPOT_API_TOKEN}` }
      for (let i = 0; i < 10; i++) {
        expect((await fetch(`${em.url}/crm/v3/objects/contacts`, { headers })).status).toBe(200)
      }
      const limited = await fetch(`${em.url}/crm/v3/objects/contacts`, { headers })
      expect(limited.status).toBe(429)
      expect(limited.headers.get('x-hubspot-ratelimit-max')).toBe('10')
      expect(limited.headers.get('x-hubspot-ratelimit-remaining')).toBe('0')
      const body = await limited.json()
      expect(body).toMatchObject({
        status: 'error',
        message: 'You have reached your ten secondly limit.',
        errorType: 'RATE_LIMIT',
        policyName: 'TEN_SECONDLY_ROLLING',
      })
      expect(body.correlationId).toBe(limited.headers.get('x-hubspot-correlation-id'))
      // what the client's RetryDecorator keys on (it would then wait 10 s, too long for a test)
      const error = await clientFor(em).crm.contacts.basicApi.getPage(1).catch((e) => e)
      expect(error.code).toBe(429)
      expect(error.body).toMatchObject({ policyName: 'TEN_SECONDLY_ROLLING' })
      const stats = await (await fetch(`${em.url}/_admin/stats`)).json()
      expect(stats.rateLimited).toBe(2)
    } finally {
      await em.close()
    }
  })

  it('answers a search burst with the secondly 429 that the client retries by itself', async () => {
    const em = await startHubSpotEmulator({ rows: 20, limits: { searchPerSecond: 1 } })
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const search = clientFor(em, 2)
      const request = { filterGroups: [], sorts: [], properties: ['email'], limit: 10, after: '0' }
      await search.crm.contacts.searchApi.doSearch(request)
      // the second call within the second is refused, then retried after 1 s and answered
      const answer = await search.crm.contacts.searchApi.doSearch(request)
      expect(answer.total).toBe(20)
      const stats = await (await fetch(`${em.url}/_admin/stats`)).json()
      expect(stats.requests.search).toBe(3)
      expect(stats.requests.byStatus['429']).toBe(1)
      expect(quiet).toHaveBeenCalledWith(expect.stringContaining('429'))
    } finally {
      quiet.mockRestore()
      await em.close()
    }
  })

  it('sends the throttle fault as the limiter would', async () => {
    const em = await startHubSpotEmulator({ rows: 5 })
    try {
      const faults = JSON.stringify({ throttle: { count: 2 } })
      await fetch(`${em.url}/_admin/faults`, { method: 'POST', body: faults })
      const headers = { authorization: `Bearer ${em.env.HUBSPOT_API_TOKEN}` }
      const listed = await fetch(`${em.url}/crm/v3/objects/contacts`, { headers })
      expect((await listed.json()).policyName).toBe('TEN_SECONDLY_ROLLING')
      const searchPath = `${em.url}/crm/v3/objects/contacts/search`
      const searched = await fetch(searchPath, { method: 'POST', headers, body: '{}' })
      const message = 'You have reached your secondly limit.'
      expect(await searched.json()).toMatchObject({ policyName: 'SECONDLY', message })
    } finally {
      await em.close()
    }
  })
})
