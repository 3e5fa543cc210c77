import { z } from 'zod'
import { ADDED_NULL_SHARE, choicesFor, numberFor, textFor } from '../shared/added-values.ts'
import { HttpError } from '../shared/http.ts'
import type { EmulatorState } from './context.ts'
import { stamps } from './mutate.ts'
import { findAdminSpec, OWNERS, type ObjectSpec } from './object-types.ts'
import { bool, date, datetime, num, select, text, titleCase, type PropertyDef } from './property-kit.ts'
import { addProperty, genContext, propertyOf, tableOf, touch } from './store.ts'
import { sample } from './tie.ts'

/**
 * `POST /_admin/alter`: a portal admin creates properties, and people start filling them in.
 * The new property is a real one: listed by the properties API, selectable with `properties=`,
 * filterable in search, generated for records created later; the touched records get values
 * and a new modified time, so an incremental sync meets the property at once.
 */

/** the property types a portal admin can pick, as the properties API spells them */
export const ADDABLE_TYPES = ['string', 'number', 'bool', 'date', 'datetime', 'enumeration'] as const
type AddableType = (typeof ADDABLE_TYPES)[number]

const addedProperty = z
  .object({
    // HubSpot's internal names: lower case, digits and _, starting with a letter
    name: z
      .string()
      .max(100)
      .regex(
        /^[a-z][a-z0-9_]*$/,
        'a property name is lower-case letters, digits and _, starting with a letter',
      ),
    type: z.enum(ADDABLE_TYPES),
    /** @default the name in title case */
    label: z.string().min(1).optional(),
    /** @default the object's main group */
    groupName: z.string().min(1).optional(),
    /** an enumeration's option labels @default a list that fits the name (tiers for a tier) */
    options: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()

export const alterSchema = z
  .object({
    /** a stream name, an objectTypeId or a path spelling (`contacts`, `0-1`, `2-37778609`) */
    object: z.string(),
    add: z.array(addedProperty).default([]),
    /** live records (seeded picks) that get values for the added properties and a new modified time */
    touch: z.number().int().nonnegative().default(0),
    /** the touched records' modified time @default now */
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()

type AddedProperty = z.infer<typeof addedProperty>
type Values = Record<string, string | null>

export interface AlterResult {
  object: string
  added: string[]
  /** each touched record's id and new values: the added properties and the modified time */
  touched: { key: string; values: Values }[]
}

const badRequest = (message: string) => new HttpError(400, message)

/** an option's internal value from its label: "On Hold" → on_hold */
const optionValue = (label: string) =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')

/** the definition one added property gets, built like the portal's own (see property-kit) */
function defineProperty(spec: ObjectSpec, input: AddedProperty, createdAt: string): PropertyDef {
  const { name } = input
  const label = input.label ?? titleCase(name)
  const group = input.groupName ?? spec.propertyGroup
  const extra = { nulls: ADDED_NULL_SHARE, hs: false }
  const build: Record<AddableType, () => PropertyDef> = {
    string: () => text(name, label, group, (r) => textFor(name, r), extra),
    number: () => num(name, label, group, (r) => String(numberFor(name, r)), extra),
    bool: () => bool(name, label, group, 0.4, extra),
    date: () => date(name, label, group, 365, extra),
    datetime: () => datetime(name, label, group, 180, extra),
    enumeration: () => {
      const labels = input.options ?? choicesFor(name)
      return select(
        name,
        label,
        group,
        labels.map((l) => [optionValue(l) || l, l] as const),
        extra,
      )
    },
  }
  return { ...build[input.type](), createdAt }
}

export function alterProperties(state: EmulatorState, body: unknown): AlterResult {
  const parsed = alterSchema.safeParse(body)
  if (!parsed.success) throw badRequest(`invalid alter request: ${z.prettifyError(parsed.error)}`)
  const input = parsed.data
  const spec = findAdminSpec(input.object)
  // owners are not a CRM object: the owners API has no properties
  if (!spec || spec === OWNERS) throw badRequest(`unknown object ${input.object}`)
  const table = tableOf(state.store, spec)
  const problems: string[] = []
  const names = input.add.map((p) => p.name)
  const twice = new Set(names.filter((n, i) => names.indexOf(n) !== i))
  for (const name of twice) problems.push(`${name} is named twice`)
  for (const property of input.add) {
    const { name } = property
    if (name.startsWith('hs_')) problems.push(`${name}: names starting hs_ are HubSpot's own`)
    else if (propertyOf(table, name)) problems.push(`${spec.stream} already has a property ${name}`)
    if (property.options && property.type !== 'enumeration') {
      problems.push(`${property.name}: only an enumeration has options`)
    }
  }
  if (problems.length > 0) throw badRequest(`invalid alter request: ${problems.join('; ')}`)

  const at = new Date(input.at ?? Date.now()).toISOString()
  const added = input.add.map((property) => defineProperty(spec, property, at))
  for (const def of added) addProperty(table, def)
  state.store.version++

  const live = table.records.filter((record) => !record.archived)
  const touched = sample(live, input.touch, state.random).map((record) => {
    const ctx = genContext(state.store, Date.parse(record.createdAt))
    const values: Values = {}
    for (const def of added) values[def.name] = def.gen!(state.random, ctx)
    Object.assign(record.properties, values)
    touch(state.store, table, record, at)
    return { key: String(record.id), values: { ...values, ...stamps(spec, record) } }
  })
  return { object: spec.stream, added: added.map((def) => def.name), touched }
}
