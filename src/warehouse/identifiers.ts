/** Quotes an identifier for SQL: every schema, table and column name goes through here. */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) throw new Error(`identifier contains a NUL character: ${JSON.stringify(name)}`)
  return `"${name.replaceAll('"', '""')}"`
}

export const qualified = (schema: string, table: string) => `${quoteIdent(schema)}.${quoteIdent(table)}`
