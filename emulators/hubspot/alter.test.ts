import { Client } from '@hubspot/api-client'
import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/models/Filter.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { startHubSpotEmulator } from './index.ts'

/** `POST /_admin/alter` seen through the official `@hubspot/api-client`, as crmsync sees the portal. */
let emulator: RunningEmulator
let client: Client

const LIMITS = { tenSecondly: 100_000, searchPerSecond: 10_000 }
const AT = '2026-12-01T09:15:00.250Z'
const GTE = 'GTE' as FilterOperatorEnum
type Touched = { key: string; values: Record<string, string | null> }

beforeAll(async () => {
  emulator = await startHubSpotEmulator({ rows: 300, seed: 4, limits: LIMITS })
  client = new Client({
    accessToken: emulator.env.HUBSPOT_API_TOKEN,
    basePath: emulator.env.HUBSPOT_BASE_URL,
  })
})
afterAll(() => emulator?.close())

async function alter(body: unknown, on = emulator): Promise<{ status: number; body: any }> {
  const response = await fetch(`${on.url}/_admin/alter`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })
  return { status: response.status, body: await response.json() }
}

async function alterOk(body: unknown) {
  const { status, body: answer } = await alter(body)
  expect(status, JSON.stringify(answer)).toBe(200)
  return answer
}

/** every contact through basicApi.getPage, with `properties` */
async function allContacts(properties: string[]) {
  const out: { id: string; properties: Record<string, string | null> }[] = []
  let after: string | undefined
  do {
    const page = await client.crm.contacts.basicApi.getPage(100, after, properties)
    out.push(...page.results)
    after = page.paging?.next?.after
  } while (after)
  return out
}

describe('POST /_admin/alter', () => {
  it('adds a contact property the properties API lists, list/search/batch-read return, and touched records hold', async () => {
    const result = await alterOk({
      object: 'contacts',
      add: [{ name: 'loyalty_tier', type: 'string' }],
      touch: 60,
      at: AT,
    })
    expect(result).toMatchObject({ object: 'contacts', added: ['loyalty_tier'] })
    const touched = result.touched as Touched[]
    expect(touched).toHaveLength(60)
    for (const { key, values } of touched) {
      expect(key).toMatch(/^\d+$/)
      expect(Object.keys(values).sort()).toEqual(['lastmodifieddate', 'loyalty_tier'])
      expect(values.lastmodifieddate).toBe(AT)
    }
    const tiers = touched.map((t) => t.values.loyalty_tier)
    expect(tiers.filter((v) => v === null).length).toBeLessThan(20)
    expect(new Set(tiers.filter((v) => v !== null))).toEqual(
      new Set(['Bronze', 'Silver', 'Gold', 'Platinum']),
    )

    const property = await client.crm.properties.coreApi.getByName('contacts', 'loyalty_tier')
    expect(property).toMatchObject({
      name: 'loyalty_tier',
      label: 'Loyalty Tier',
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
      hubspotDefined: false,
      options: [],
    })
    expect(property.createdAt?.toISOString()).toBe(AT)
    const listed = await client.crm.properties.coreApi.getAll('contacts')
    expect(listed.results.at(-1)?.name).toBe('loyalty_tier')

    const byId = new Map(touched.map((t) => [t.key, t.values]))
    const contacts = await allContacts(['loyalty_tier'])
    expect(contacts).toHaveLength((await emulator.tables()).contacts)
    for (const contact of contacts) {
      expect(contact.properties.loyalty_tier).toBe(byId.get(contact.id)?.loyalty_tier ?? null)
    }

    const search = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'lastmodifieddate', operator: GTE, value: String(Date.parse(AT)) }] },
      ],
      sorts: [],
      properties: ['loyalty_tier'],
      limit: 100,
      after: '0',
    })
    expect(search.total).toBe(60)
    for (const found of search.results) {
      expect(found.properties.loyalty_tier).toBe(byId.get(found.id)!.loyalty_tier)
    }
    const gold = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'loyalty_tier', operator: 'EQ' as FilterOperatorEnum, value: 'Gold' }] },
      ],
      sorts: [],
      properties: [],
      limit: 100,
      after: '0',
    })
    expect(gold.total).toBe(tiers.filter((t) => t === 'Gold').length)

    const inputs = touched.slice(0, 10).map((t) => ({ id: t.key }))
    const batch = await client.crm.contacts.batchApi.read({
      inputs,
      properties: ['loyalty_tier'],
      propertiesWithHistory: [],
    })
    expect(batch.results).toHaveLength(10)
    for (const found of batch.results) {
      expect(found.properties.loyalty_tier).toBe(byId.get(found.id)!.loyalty_tier)
    }
  })

  it('adds every type the way the portal defines its own, and later inserts fill them too', async () => {
    const add = [
      { name: 'deal_score', type: 'number' },
      { name: 'financing_approved', type: 'bool' },
      { name: 'permit_date', type: 'date' },
      {
        name: 'install_scheduled_at',
        type: 'datetime',
        label: 'Install scheduled',
        groupName: 'deal_activity',
      },
      { name: 'roof_color', type: 'enumeration', options: ['Charcoal Gray', 'Desert Tan'] },
      { name: 'membership_level', type: 'enumeration' },
    ]
    const result = await alterOk({ object: '0-3', add, touch: 30, at: AT })
    expect(result.object).toBe('deals')
    const properties = new Map(
      (await client.crm.properties.coreApi.getAll('deals')).results.map((p) => [p.name, p]),
    )
    expect(properties.get('deal_score')).toMatchObject({
      type: 'number',
      fieldType: 'number',
      groupName: 'dealinformation',
    })
    expect(properties.get('financing_approved')).toMatchObject({ type: 'bool', fieldType: 'booleancheckbox' })
    expect(properties.get('financing_approved')!.options.map((o) => [o.value, o.label])).toEqual([
      ['true', 'Yes'],
      ['false', 'No'],
    ])
    expect(properties.get('permit_date')).toMatchObject({ type: 'date', fieldType: 'date' })
    expect(properties.get('install_scheduled_at')).toMatchObject({
      type: 'datetime',
      fieldType: 'date',
      label: 'Install scheduled',
      groupName: 'deal_activity',
    })
    expect(properties.get('roof_color')).toMatchObject({ type: 'enumeration', fieldType: 'select' })
    expect(properties.get('roof_color')!.options.map((o) => [o.value, o.label])).toEqual([
      ['charcoal_gray', 'Charcoal Gray'],
      ['desert_tan', 'Desert Tan'],
    ])
    expect(properties.get('membership_level')!.options.map((o) => o.label)).toEqual([
      'Bronze',
      'Silver',
      'Gold',
      'Platinum',
    ])

    const values = (result.touched as Touched[]).map((t) => t.values)
    expect(values.every((v) => v.hs_lastmodifieddate === AT)).toBe(true)
    const filled = (name: string) => values.map((v) => v[name]).filter((v) => v !== null) as string[]
    for (const { name } of add) expect(filled(name).length, name).toBeGreaterThan(15)
    expect(filled('deal_score').every((v) => /^\d+$/.test(v))).toBe(true)
    expect(filled('financing_approved').every((v) => v === 'true' || v === 'false')).toBe(true)
    expect(filled('permit_date').every((v) => /^\d{4}-\d\d-\d\d$/.test(v))).toBe(true)
    expect(
      filled('install_scheduled_at').every((v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(v)),
    ).toBe(true)
    expect(new Set(filled('roof_color'))).toEqual(new Set(['charcoal_gray', 'desert_tan']))

    const [deal] = (result.touched as Touched[]).slice(0, 1)
    const read = await client.crm.objects.basicApi.getById(
      'deals',
      deal.key,
      add.map((p) => p.name),
    )
    expect(read.properties).toMatchObject(deal.values)

    const mutate = await fetch(`${emulator.url}/_admin/mutate`, {
      method: 'POST',
      body: JSON.stringify({
        table: 'deals',
        inserts: 20,
        updates: [{ id: deal.key, properties: { roof_color: 'desert_tan' } }],
      }),
    })
    const changed = (await mutate.json()) as any
    expect(changed.updated[0].properties.roof_color).toBe('desert_tan')
    const inserted = changed.inserted.map(
      (r: { properties: Record<string, string | null> }) => r.properties.roof_color,
    )
    expect(inserted.filter((v: string | null) => v !== null).length).toBeGreaterThan(10)
  })

  it('refuses bad requests with 400 naming the problem, and changes nothing', async () => {
    const count = async () => (await client.crm.properties.coreApi.getAll('contacts')).results.length
    const before = await count()
    const cases: [unknown, RegExp][] = [
      [{ object: 'leads', add: [{ name: 'tier', type: 'string' }] }, /unknown object leads/],
      [{ object: 'owners', add: [{ name: 'tier', type: 'string' }] }, /unknown object owners/],
      [{ object: 'contacts', add: [{ name: 'tier', type: 'text' }] }, /expected one of "string"\|"number"/],
      [
        { object: 'contacts', add: [{ name: 'email', type: 'string' }] },
        /contacts already has a property email/,
      ],
      [
        { object: 'contacts', add: [{ name: 'hs_tier', type: 'string' }] },
        /names starting hs_ are HubSpot's own/,
      ],
      [{ object: 'contacts', add: [{ name: 'Tier', type: 'string' }] }, /lower-case letters, digits and _/],
      [
        { object: 'contacts', add: [{ name: 'tier', type: 'number', options: ['a'] }] },
        /only an enumeration has options/,
      ],
      [
        {
          object: 'contacts',
          add: [
            { name: 'tier', type: 'string' },
            { name: 'tier', type: 'bool' },
          ],
        },
        /tier is named twice/,
      ],
      [{ object: 'contacts', touch: -1 }, /touch/],
      [{ object: 'contacts', drop: ['email'] }, /drop/],
      // a good property does not slip in beside a bad one
      [
        {
          object: 'contacts',
          add: [
            { name: 'fine_one', type: 'string' },
            { name: 'email', type: 'string' },
          ],
          touch: 5,
        },
        /email/,
      ],
    ]
    for (const [body, message] of cases) {
      const { status, body: answer } = await alter(body)
      expect([JSON.stringify(body), status]).toEqual([JSON.stringify(body), 400])
      expect(answer.error).toMatch(message)
    }
    expect(await count()).toBe(before)
    const since = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'lastmodifieddate', operator: GTE, value: String(Date.parse(AT) + 1) }] },
      ],
      sorts: [],
      properties: [],
      limit: 10,
      after: '0',
    })
    expect(since.total).toBe(0)
  })

  it('touches the same records with the same values for the same seed, and keeps each emulator its own properties', async () => {
    const answers = []
    const twins = await Promise.all(
      [1, 2].map(() => startHubSpotEmulator({ rows: 100, seed: 9, limits: LIMITS })),
    )
    try {
      for (const twin of twins) {
        answers.push(
          (
            await alter(
              { object: 'companies', add: [{ name: 'account_tier', type: 'enumeration' }], touch: 8, at: AT },
              twin,
            )
          ).body,
        )
      }
      expect(answers[1]).toEqual(answers[0])
      expect(answers[0].touched).toHaveLength(8)
      // the property belongs to the emulator it was added to
      const third = await startHubSpotEmulator({ rows: 10, seed: 9, limits: LIMITS })
      twins.push(third)
      const response = await fetch(`${third.url}/crm/v3/properties/companies/account_tier`, {
        headers: { authorization: `Bearer ${third.env.HUBSPOT_API_TOKEN}` },
      })
      expect(response.status).toBe(404)
    } finally {
      await Promise.all(twins.map((twin) => twin.close()))
    }
  })
})
