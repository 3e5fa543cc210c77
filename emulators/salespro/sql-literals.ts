import type { RowValue } from './generators.ts'
import { sqlType, type Column } from './tables.ts'
import { formatTimestamp } from './timeline.ts'
import { centsToDecimal } from './values.ts'

/** a value given through the admin API: JSON text, number, boolean or null */
export type ExplicitValue = string | number | boolean | null

export const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`

/** a generated value (see `RowValue`) as a typed SQL literal */
export function generatedLiteral(value: RowValue, column: Column): string {
  const type = sqlType(column)
  if (value === null) return `CAST(NULL AS ${type})`
  switch (column.type) {
    case 'varchar':
      return sqlString(String(value))
    case 'timestamp':
      return `TIMESTAMP '${formatTimestamp(value as number)}'`
    case 'date':
      return `DATE '${formatTimestamp(value as number).slice(0, 10)}'`
    case 'decimal':
      return `CAST('${centsToDecimal(value as number)}' AS ${type})`
    case 'boolean':
      return value ? 'TRUE' : 'FALSE'
    case 'bigint':
    case 'integer':
      return `CAST(${Math.trunc(value as number)} AS ${type})`
    case 'double':
      return `CAST(${value as number} AS DOUBLE)`
  }
}

/** a value from the admin API, cast to the column's type (DuckDB rejects what does not cast) */
export function explicitLiteral(value: ExplicitValue, column: Column): string {
  const type = sqlType(column)
  if (value === null) return `CAST(NULL AS ${type})`
  const quoted = typeof value === 'string' || column.type === 'varchar'
  const text = quoted ? sqlString(String(value)) : String(value)
  return `CAST(${text} AS ${type})`
}
