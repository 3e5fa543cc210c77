import { z } from 'zod'
import { validationError } from './errors.ts'
import { propertyOf, type HsRecord, type ObjectTable } from './store.ts'

/** The filter and sort half of `POST /crm/v3/objects/{type}/search`: what matches, in which order. */
// prettier-ignore
export const OPERATORS = [
  'EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN',
  'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN',
] as const

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String)

export const filterSchema = z.object({
  propertyName: z.string().min(1),
  operator: z.enum(OPERATORS),
  value: scalar.optional(),
  highValue: scalar.optional(),
  values: z.array(scalar).optional(),
})

export const sortSchema = z.union([
  z.string().transform((propertyName) => ({ propertyName, direction: 'ASCENDING' as const })),
  z.object({
    propertyName: z.string().min(1),
    direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING'),
  }),
])

export type Filter = z.infer<typeof filterSchema>
export type Sort = z.infer<typeof sortSchema>
type FilterGroups = readonly { filters: readonly Filter[] }[]

/** HubSpot's current limits: 5 groups, 6 filters each, 18 in all */
export function checkFilterLimits(groups: FilterGroups) {
  if (groups.length > 5) {
    throw validationError(`Too many filter groups (${groups.length}). The maximum is 5.`)
  }
  const wide = groups.findIndex((g) => g.filters.length > 6)
  if (wide >= 0) {
    const n = groups[wide].filters.length
    throw validationError(`Too many filters in filterGroup ${wide} (${n}). The maximum per filterGroup is 6.`)
  }
  const total = groups.reduce((n, g) => n + g.filters.length, 0)
  if (total > 18) {
    throw validationError(`Too many filters (${total}). The maximum across all filterGroups is 18.`)
  }
}

type Comparable = number | string | null
type Kind = 'numeric' | 'text'

/** numbers, dates and datetimes compare as numbers (dates as epoch ms); everything else as lower-case text */
function kindOf(table: ObjectTable, name: string): Kind {
  const def = propertyOf(table, name)
  if (!def) {
    const context = { propertyName: [name] }
    throw validationError(`Property "${name}" does not exist on object type ${table.spec.typeId}.`, {
      context,
    })
  }
  return def.type === 'number' || def.type === 'date' || def.type === 'datetime' ? 'numeric' : 'text'
}

function recordValue(record: HsRecord, name: string, kind: Kind): Comparable {
  const raw = record.properties[name]
  if (raw === null || raw === undefined || raw === '') return null
  if (kind === 'text') return raw.toLowerCase()
  const n = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : Date.parse(raw)
  return Number.isNaN(n) ? null : n
}

/** filter values: epoch-ms strings or ISO 8601 for dates, plain numbers otherwise */
function filterValue(raw: string | undefined, name: string, kind: Kind): number | string {
  if (raw === undefined) throw validationError(`Filter on "${name}" is missing its value.`)
  if (kind === 'text') return raw.toLowerCase()
  const n = /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : Date.parse(raw)
  if (Number.isNaN(n)) throw validationError(`"${raw}" is not a valid value for property "${name}".`)
  return n
}

const tokens = (text: string) => text.split(/[^\p{L}\p{N}@._'-]+/u).filter(Boolean)

function containsToken(value: string, needle: string): boolean {
  if (needle.includes('*')) {
    const escaped = needle.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    const pattern = new RegExp(`^${escaped.join('.*')}$`, 'u')
    return pattern.test(value) || tokens(value).some((t) => pattern.test(t))
  }
  return value === needle || tokens(value).includes(needle) || value.split(/[^\p{L}\p{N}]+/u).includes(needle)
}

export type Predicate = (record: HsRecord) => boolean

export function compileFilter(table: ObjectTable, filter: Filter): Predicate {
  const { propertyName: name, operator } = filter
  const kind = kindOf(table, name)
  const get = (record: HsRecord) => recordValue(record, name, kind)
  switch (operator) {
    case 'HAS_PROPERTY':
      return (r) => get(r) !== null
    case 'NOT_HAS_PROPERTY':
      return (r) => get(r) === null
    case 'IN':
    case 'NOT_IN': {
      if (!filter.values?.length) {
        throw validationError(`Filter ${operator} on "${name}" needs a non-empty "values" list.`)
      }
      const set = new Set(filter.values.map((v) => filterValue(v, name, kind)))
      return operator === 'IN' ? (r) => set.has(get(r) as never) : (r) => !set.has(get(r) as never)
    }
    case 'BETWEEN': {
      const lo = filterValue(filter.value, name, kind)
      const hi = filterValue(filter.highValue, name, kind)
      return (r) => {
        const v = get(r)
        return v !== null && v >= lo && v <= hi
      }
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const needle = (filter.value ?? '').toLowerCase()
      const test = (r: HsRecord) => {
        const v = get(r)
        return v !== null && containsToken(String(v).toLowerCase(), needle)
      }
      return operator === 'CONTAINS_TOKEN' ? test : (r) => !test(r)
    }
    default: {
      const target = filterValue(filter.value, name, kind)
      const compare = COMPARISONS[operator]
      // an unset value is "not equal" to anything, and neither less nor greater
      return (r) => {
        const v = get(r)
        return v === null ? operator === 'NEQ' : compare(v, target)
      }
    }
  }
}

type Comparison = (a: number | string, b: number | string) => boolean

const COMPARISONS: Record<'EQ' | 'NEQ' | 'LT' | 'LTE' | 'GT' | 'GTE', Comparison> = {
  EQ: (a, b) => a === b,
  NEQ: (a, b) => a !== b,
  LT: (a, b) => a < b,
  LTE: (a, b) => a <= b,
  GT: (a, b) => a > b,
  GTE: (a, b) => a >= b,
}

/** OR of groups, AND inside a group; no groups matches everything */
export function compileGroups(table: ObjectTable, groups: FilterGroups): Predicate {
  const compiled = groups.map((g) => g.filters.map((f) => compileFilter(table, f)))
  if (compiled.length === 0) return () => true
  return (record) => compiled.some((group) => group.every((p) => p(record)))
}

/** sorts by one property (HubSpot honours only the first sort), unset values last, ties by id ascending */
export function sortRecords(table: ObjectTable, sorts: readonly Sort[], records: HsRecord[]): HsRecord[] {
  const sort = sorts[0]
  if (!sort) return records.sort((a, b) => a.id - b.id)
  const kind = kindOf(table, sort.propertyName)
  const sign = sort.direction === 'DESCENDING' ? -1 : 1
  // keys once per record, not once per comparison: a 30k-row sort would parse dates a million times
  const keyed = records.map((record) => ({ record, key: recordValue(record, sort.propertyName, kind) }))
  keyed.sort((a, b) => {
    const x = a.key
    const y = b.key
    if (x !== y) {
      if (x === null) return 1
      if (y === null) return -1
      return x < y ? -sign : sign
    }
    return a.record.id - b.record.id
  })
  return keyed.map((k) => k.record)
}

/** free-text `query`: a case-insensitive match on any text value, roughly HubSpot's default search */
export function compileQuery(query: string | undefined): Predicate {
  const needle = query?.trim().toLowerCase()
  if (!needle) return () => true
  return (record) => Object.values(record.properties).some((v) => v?.toLowerCase().includes(needle))
}
