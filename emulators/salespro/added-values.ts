import { ADDED_NULL_SHARE, hundredthsFor, integerFor, textFor } from '../shared/added-values.ts'
import type { Random } from '../shared/random.ts'
import { sqlString } from './sql-literals.ts'
import { sqlType, type Column } from './tables.ts'
import { formatTimestamp } from './timeline.ts'
import { centsToDecimal } from './values.ts'

const DAY = 86_400_000

/**
 * What people type into a field that used to take a number (or a date) once the app lets them
 * type anything: the rows a retype to VARCHAR touches get some of these, so a reader that still
 * expects numbers meets real type drift.
 */
export const DRIFT_TEXTS = ['N/A', 'TBD', 'pending', 'see notes', 'unknown', 'ask office', '-', 'n/a']

/** hundredths as a decimal literal's text with `scale` digits, wrapped into `precision` */
function decimalText(hundredths: number, precision: number, scale: number): string {
  const limit = 10 ** (precision - scale) * 100
  const plain = centsToDecimal(hundredths % limit)
  if (scale === 0) return plain.slice(0, -3)
  if (scale === 1) return plain.slice(0, -1)
  return plain + '0'.repeat(scale - 2)
}

/**
 * A SQL literal for one row's value of a column `POST /_admin/alter` added: realistic for the
 * column's name and type, about one in ten NULL, times shortly before `atMs`.
 */
export function addedValueSql(column: Column, random: Random, atMs: number): string {
  const type = sqlType(column)
  if (random.chance(ADDED_NULL_SHARE)) return `CAST(NULL AS ${type})`
  switch (column.type) {
    case 'varchar':
      return sqlString(textFor(column.name, random))
    case 'integer':
    case 'bigint':
      return `CAST(${integerFor(column.name, random)} AS ${type})`
    case 'double':
      return `CAST(${hundredthsFor(column.name, random) / 100} AS DOUBLE)`
    case 'decimal': {
      const text = decimalText(hundredthsFor(column.name, random), column.precision ?? 12, column.scale ?? 2)
      return `CAST('${text}' AS ${type})`
    }
    case 'boolean':
      return random.chance(0.4) ? 'TRUE' : 'FALSE'
    case 'timestamp':
      return `TIMESTAMP '${formatTimestamp(atMs - random.int(0, 180 * DAY))}'`
    case 'date':
      return `DATE '${formatTimestamp(atMs - random.int(0, 730) * DAY).slice(0, 10)}'`
  }
}
