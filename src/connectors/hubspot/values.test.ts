import { describe, expect, it } from 'vitest'
import { loadHubSpotConfig } from './config.ts'
import { columnName, columnNames } from './column-name.ts'
import { buildObjectSchema, toObjectRecord } from './object-schema.ts'
import { parseValue } from './values.ts'

describe('HubSpot values', () => {
  it.each([
    ['numeric', '12.50', '12.50'],
    ['numeric', '+3', '3'],
    ['numeric', '.5', '0.5'],
    ['numeric', '1e3', '1e3'],
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
    expect(parseValue(base, text)).toEqual(value)
  })

  it.each([
    ['numeric', '12,50'],
    ['boolean', 'yes'],
    ['timestamptz', 'yesterday'],
    ['date', '2024-02-29T10:00:00.000Z'],
  ] as const)('refuses %s %j with a reason', (base, text) => {
    expect(() => parseValue(base, text)).toThrow(/is not/)
  })

  it('turns a record that does not parse into a reject naming the property', () => {
    const schema = buildObjectSchema('deals', [{ name: 'amount', type: 'number' }], 'all', [])
    const object = { id: '7', properties: { amount: 'lots' }, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-02T00:00:00Z', archived: false }
    expect(toObjectRecord(object, schema.columns)).toEqual({ reject: { key: '7', reason: 'amount: "lots" is not a number', raw: object } })
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
