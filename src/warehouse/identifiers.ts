import { createHash } from 'node:crypto'

/** Quotes an identifier for SQL: every schema, table and column name goes through here. */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) throw new Error(`identifier contains a NUL character: ${JSON.stringify(name)}`)
  return `"${name.replaceAll('"', '""')}"`
}

export const qualified = (schema: string, table: string) => `${quoteIdent(schema)}.${quoteIdent(table)}`

const MAX_IDENTIFIER_BYTES = 63

/**
 * A source field name as a warehouse column: snake_case, and at most 63 bytes (PostgreSQL silently
 * truncates longer names, which can make two fields collide), shortened with a hash suffix so the
 * result is stable and distinct.
 */
export function toColumnName(field: string): string {
  const snake = field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase()
  const name = /^[0-9]/.test(snake) ? `c_${snake}` : snake || 'c'
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name
  const suffix = createHash('sha1').update(field).digest('hex').slice(0, 8)
  return `${name.slice(0, MAX_IDENTIFIER_BYTES - 9)}_${suffix}`
}
