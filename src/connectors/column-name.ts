import { createHash } from 'node:crypto'

const MAX_IDENTIFIER_BYTES = 63

const shortHash = (text: string) => createHash('sha1').update(text).digest('hex').slice(0, 8)

/**
 * A source field name (a HubSpot property, a SalesRabbit key) as a warehouse column: lower snake_case, and at most 63 bytes, since
 * PostgreSQL silently truncates longer identifiers and two long properties could then collide. A
 * long name keeps its start and gains a hash of the whole name, so it stays stable and distinct.
 * (Connectors do not import the warehouse, hence this small copy of its naming rule.)
 */
export function columnName(property: string): string {
  const snake = property
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase()
  const name = /^[0-9]/.test(snake) ? `c_${snake}` : snake || 'c'
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name
  return `${name.slice(0, MAX_IDENTIFIER_BYTES - 9)}_${shortHash(property)}`
}

/**
 * Column names for many properties, none equal to a `reserved` one or to each other: a clash with
 * a reserved column takes `_prop`, a clash between two properties (`FooBar` and `foo_bar`) a hash.
 */
export function columnNames(properties: readonly string[], reserved: readonly string[]): Map<string, string> {
  const taken = new Set(reserved)
  const names = new Map<string, string>()
  for (const property of properties) {
    let name = columnName(property)
    if (taken.has(name)) name = columnName(`${name}_prop`)
    if (taken.has(name)) name = `${name.slice(0, MAX_IDENTIFIER_BYTES - 9)}_${shortHash(property)}`
    taken.add(name)
    names.set(property, name)
  }
  return names
}
