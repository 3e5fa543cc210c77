import { describe, expect, it } from 'vitest'
import { loadHubSpotConfig } from './config.ts'
import { columnName, columnNames } from '../column-name.ts'
import { buildObjectSchema, toObjectRecord } from './schemas.ts'
import { processValue } from '../processors.ts'

describe('HubSpot values, through the shared processors', () => {
  it.each([
    ['numeric', '12.50', '12.50'],
    ['numeric', '+3', '3'],
    ['numeric', '.5', '0.5'],
    ['numeric', '1e3', '1000'],
    ['numeric', '', null],
    ['boolean', 'true', true],
    ['boolean', 'FALSE', false],
    ['timestamptz', '2021-10-29T01:07:08.240Z', '2021-10-29T01:07:08.240Z'],
    ['timestamptz', '1635469628240', '2021-10-29T01:07:08.240Z'],
    ['timestamptz', '2021-10-29', '2021-10-29T00:00:00Z'],
    ['date', '2024-02-29', '2024-02-29'],
    ['date', '1709164800000', '2024-02-29'],
    ['date', '2024-02-29T00:00:00.000Z', '2024-02-29'],
    ['text', '', ''],
    ['text', 'a;b', 'a;b'],
  ] as const)('reads %s %j as %j', (base, text, value) => {
    expect(processValue(base, text)).toEqual(value)
  })

  it.each([
    ['numeric', '12,50'],
    ['boolean', 'perhaps'],
    ['timestamptz', 'yesterday'],
  ] as const)('refuses %s %j with a reason', (base, text) => {
    expect(() => processValue(base, text)).toThrow(/^not a/)
  })

  it('gives the properties to the engine as the source fields, typed from their definitions', () => {
    const schema = buildObjectSchema('deals', [{ name: 'amount', type: 'number' }, { name: 'id', type: 'string' }], 'all', [])
    expect(schema.sourceSchema).toEqual({ fields: [{ name: 'amount', from: 'amount', type: 'numeric' }, { name: 'id_prop', from: 'id', type: 'text' }], complete: true })
    const object = { id: '7', properties: { amount: 'lots' }, createdAt: 'soon', updatedAt: '2026-01-02T00:00:00Z', archived: false }
    // a bad createdAt costs that field; the properties are typed by the engine, not here
    expect(toObjectRecord(object)).toEqual({
      record: {
        values: { id: '7', created_at: null, updated_at: '2026-01-02T00:00:00Z', archived: false, archived_at: null },
        raw: object,
        changes: [{ field: 'created_at', change: 'nulled', reason: 'not a timestamp' }],
        fields: object.properties,
      },
    })
  })

  it('rejects only a record whose updatedAt (the cursor) cannot be read', () => {
    const object = { id: '7', properties: {}, createdAt: '2026-01-01T00:00:00Z', updatedAt: 'later', archived: false }
    expect(toObjectRecord(object)).toEqual({ reject: { key: '7', reason: 'updatedAt: "later" is not a timestamp', raw: object } })
  })
})

describe('HubSpot column names', () => {
  it('snake-cases, and shortens past 63 bytes with a stable hash', () => {
    expect(columnName('hs_LastModifiedDate')).toBe('hs_last_modified_date')
    const long = `x_${'very_long_property_name_'.repeat(4)}`
    expect(columnName(long)).toHaveLength(63)
    expect(columnName(long)).toBe(columnName(long))
    expect(columnName(`${long}a`)).not.toBe(columnName(`${long}b`))
  })

  it('keeps properties apart from the object columns and from each other', () => {
    const names = columnNames(['id', 'archived', 'FooBar', 'foo_bar'], ['id', 'created_at', 'updated_at', 'archived', 'archived_at'])
    expect(names.get('id')).toBe('id_prop')
    expect(names.get('archived')).toBe('archived_prop')
    expect(names.get('FooBar')).toBe('foo_bar')
    expect(names.get('foo_bar')).toMatch(/^foo_bar_prop$/)
  })
})

describe('HubSpot config', () => {
  it('has the documented defaults', () => {
    const config = loadHubSpotConfig({ HUBSPOT_API_TOKEN: 'pat-123456' }, undefined)
    expect(config).toMatchObject({
      baseUrl: 'https://api.hubapi.com',
      limits: { tenSecondly: 100, searchPerSecond: 5 },
      customObjects: [
        { objectType: '2-37778609', name: 'divisions' },
        { objectType: '2-42119425', name: 'genius_users' },
      ],
    })
    expect(config.associations.map((a) => a.name)).toEqual(['assoc_contact_appointment', 'assoc_contact_division', 'assoc_deal_contact', 'assoc_deal_company'])
    expect(loadHubSpotConfig({ HUBSPOT_API_TOKEN: 'x' }, { limits: { tier: 'professional' } }).limits.tenSecondly).toBe(190)
  })

  it('reports every problem in one message', () => {
    const attempt = () => loadHubSpotConfig({ HUBSPOT_BASE_URL: 'not a url' }, { limits: { tenSecondly: -1 }, properties: { leads: 'all' } })
    expect(attempt).toThrow(/HUBSPOT_API_TOKEN is not set; HUBSPOT_BASE_URL is not a URL; sources\.hubspot\.limits\.tenSecondly/)
    expect(() => loadHubSpotConfig({ HUBSPOT_API_TOKEN: 'x' }, { properties: { leads: 'all' } })).toThrow(/properties\.leads: no object stream/)
  })
})
