import type { Random } from '../shared/random.ts'

/**
 * Property definitions: what `GET /crm/v3/properties/{type}` describes and what the generators
 * fill. One definition per property keeps the metadata and the values from drifting apart.
 */
export const PROPERTY_TYPES = [
  'string',
  'number',
  'date',
  'datetime',
  'enumeration',
  'bool',
  'phone_number',
] as const
export type PropertyType = (typeof PROPERTY_TYPES)[number]

export interface GenContext {
  /** ids of the portal's owners, for `hubspot_owner_id` */
  readonly ownerIds: readonly string[]
  /** division records, for the `division` text properties */
  readonly divisions: readonly { id: string; name: string; code: string }[]
  /** the record's creation time (epoch ms); generated dates stay near it */
  readonly createdMs: number
  /** values already used where HubSpot keeps them unique (contact emails) */
  readonly taken: Set<string>
}

export type ValueGen = (r: Random, ctx: GenContext) => string | null

export interface PropertyOption {
  readonly label: string
  readonly value: string
}

export interface PropertyDef {
  readonly name: string
  readonly label: string
  readonly type: PropertyType
  readonly fieldType: string
  readonly groupName: string
  readonly description: string
  readonly options: readonly PropertyOption[]
  readonly hubspotDefined: boolean
  /** set by the emulator itself (ids, timestamps); random updates never touch it */
  readonly system: boolean
  /** absent for system properties */
  readonly gen: ValueGen | undefined
  /** when a portal created it (`POST /_admin/alter`); the others carry a fixed, older stamp */
  readonly createdAt?: string
}

interface ExtraOptions {
  /** chance the value is unset (null on the wire) */
  nulls?: number
  hs?: boolean
  description?: string
}

/** a bare number is the `nulls` chance, the common case */
type Extra = ExtraOptions | number

function define(
  name: string,
  label: string,
  type: PropertyType,
  fieldType: string,
  groupName: string,
  gen: ValueGen | undefined,
  extraOrNulls: Extra = {},
  options: readonly PropertyOption[] = [],
): PropertyDef {
  const extra = typeof extraOrNulls === 'number' ? { nulls: extraOrNulls } : extraOrNulls
  const nulls = extra.nulls ?? 0
  const guarded: ValueGen | undefined =
    gen && nulls > 0 ? (r, ctx) => (r.chance(nulls) ? null : gen(r, ctx)) : gen
  return {
    name,
    label,
    type,
    fieldType,
    groupName,
    description: extra.description ?? '',
    options,
    hubspotDefined: extra.hs ?? (name.startsWith('hs_') || STANDARD_NAMES.has(name)),
    system: gen === undefined,
    gen: guarded,
  }
}

// names HubSpot ships on its standard objects (everything else is a portal's custom property)
const STANDARD_NAMES = new Set([
  'firstname', 'lastname', 'email', 'phone', 'mobilephone', 'address', 'city', 'state', 'zip', 'country',
  'company', 'lifecyclestage', 'createdate', 'lastmodifieddate', 'hubspot_owner_id', 'jobtitle', 'website',
  'name', 'domain', 'industry', 'numberofemployees', 'annualrevenue', 'description', 'dealname', 'amount',
  'closedate', 'dealstage', 'pipeline', 'dealtype', 'hs_priority',
])

type OptionValues = readonly (string | readonly [value: string, label: string])[]

const toOption = (v: OptionValues[number]): PropertyOption =>
  typeof v === 'string' ? { value: v, label: titleCase(v) } : { value: v[0], label: v[1] }
const toOptions = (values: OptionValues) => values.map(toOption)

export function titleCase(value: string): string {
  return value.replace(/[_-]+/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase())
}

export const text = (name: string, label: string, group: string, gen: ValueGen, extra?: Extra) =>
  define(name, label, 'string', 'text', group, gen, extra)
export const textarea = (name: string, label: string, group: string, gen: ValueGen, extra?: Extra) =>
  define(name, label, 'string', 'textarea', group, gen, extra)
export const phone = (name: string, label: string, group: string, extra?: Extra) =>
  define(name, label, 'phone_number', 'phonenumber', group, phoneNumber, extra)
export const num = (name: string, label: string, group: string, gen: ValueGen, extra?: Extra) =>
  define(name, label, 'number', 'number', group, gen, extra)
const YES_NO = toOptions([
  ['true', 'Yes'],
  ['false', 'No'],
])
export const bool = (name: string, label: string, group: string, pTrue: number, extra?: Extra) =>
  define(name, label, 'bool', 'booleancheckbox', group, (r) => String(r.chance(pTrue)), extra, YES_NO)
/** a date-only property: `YYYY-MM-DD`, within `days` of creation */
export const date = (name: string, label: string, group: string, days: number, extra?: Extra) => {
  const gen: ValueGen = (r, ctx) => dateOnly(ctx.createdMs + r.int(-days, days) * DAY)
  return define(name, label, 'date', 'date', group, gen, extra)
}
/** a datetime property: ISO UTC with milliseconds, within `days` after creation */
export const datetime = (name: string, label: string, group: string, days: number, extra?: Extra) => {
  const gen: ValueGen = (r, ctx) => isoMs(ctx.createdMs + r.int(0, days * DAY))
  return define(name, label, 'datetime', 'date', group, gen, extra)
}
export const select = (name: string, label: string, group: string, values: OptionValues, extra?: Extra) => {
  const options = toOptions(values)
  return define(name, label, 'enumeration', 'select', group, (r) => r.pick(options).value, extra, options)
}
/** a multi-select checkbox: values joined with `;` the way HubSpot sends them */
export const multi = (name: string, label: string, group: string, values: OptionValues, extra?: Extra) => {
  const options = toOptions(values)
  const gen: ValueGen = (r) => {
    const chosen = options.filter(() => r.chance(0.3)).map((o) => o.value)
    return chosen.length ? chosen.join(';') : r.pick(options).value
  }
  return define(name, label, 'enumeration', 'checkbox', group, gen, extra, options)
}
/** an enumeration whose options are the portal's owners (filled when the data set is built) */
export const owner = (name: string, label: string, group: string, extra?: Extra) =>
  define(name, label, 'enumeration', 'select', group, (r, ctx) => r.pick(ctx.ownerIds), extra)
export const systemProperty = (name: string, label: string, type: 'datetime' | 'number', group: string) =>
  define(name, label, type, type === 'number' ? 'number' : 'date', group, undefined, { hs: true })

export const DAY = 86_400_000
export const isoMs = (ms: number) => new Date(ms).toISOString()
export const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export function phoneNumber(r: Random): string {
  const area = r.int(201, 989)
  const body = `${r.int(200, 999)}${r.chars(4, '0123456789')}`
  // real portals hold every format people type into forms
  switch (r.int(0, 3)) {
    case 0:
      return `(${area}) ${body.slice(0, 3)}-${body.slice(3)}`
    case 1:
      return `+1${area}${body}`
    case 2:
      return `${area}-${body.slice(0, 3)}-${body.slice(3)}`
    default:
      return `${area}.${body.slice(0, 3)}.${body.slice(3)}`
  }
}

/** the JSON `GET /crm/v3/properties/{type}` answers for one definition */
export function toWireProperty(def: PropertyDef, displayOrder: number): Record<string, unknown> {
  const stamp = def.createdAt ?? (def.hubspotDefined ? '2019-08-06T02:41:52.000Z' : '2022-03-14T15:09:26.535Z')
  return {
    updatedAt: stamp,
    createdAt: stamp,
    name: def.name,
    label: def.label,
    type: def.type,
    fieldType: def.fieldType,
    description: def.description,
    groupName: def.groupName,
    options: def.options.map((o, i) => ({ label: o.label, value: o.value, displayOrder: i, hidden: false })),
    ...(def.hubspotDefined ? {} : { createdUserId: '1184520', updatedUserId: '1184520' }),
    displayOrder: def.hubspotDefined ? -1 : displayOrder,
    calculated: false,
    externalOptions: def.name === 'hubspot_owner_id',
    hasUniqueValue: false,
    hidden: false,
    hubspotDefined: def.hubspotDefined,
    modificationMetadata: {
      archivable: !def.hubspotDefined,
      readOnlyDefinition: def.hubspotDefined,
      readOnlyValue: def.system,
    },
    formField: !def.system && def.type !== 'datetime',
  }
}
