/** Quotes an identifier for SQL: every schema, table and column name goes through here. */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) throw new Error(`identifier contains a NUL character: ${JSON.stringify(name)}`)
  return `"${name.replaceAll('"', '""')}"`
}

export const qualified = (schema: string, table: string) => `${quoteIdent(schema)}.${quoteIdent(table)}`

/** A string as an SQL literal, whatever standard_conforming_strings says: with a backslash, an escape string. */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error(`literal contains a NUL character: ${JSON.stringify(value)}`)
  const quoted = value.replaceAll("'", "''")
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`
}
