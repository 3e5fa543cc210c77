import type { ColumnBase } from './read-value.ts'

/**
 * The judge's own type rules (docs/design.md §3.12): what column type a source's type becomes,
 * and how a column widens when the source's type changes. Written from the design, not imported
 * from the engine, so a column that never widens is a failure and not an agreement.
 */

/** Athena's DDL type (`INTEGER`, `DECIMAL(12,2)`) as a warehouse type */
export function athenaBase(type: string): ColumnBase {
  const t = type.toUpperCase().replace(/\(.*$/, '')
  const map: Record<string, ColumnBase> = {
    VARCHAR: 'text',
    INTEGER: 'integer',
    INT: 'integer',
    BIGINT: 'bigint',
    DOUBLE: 'double precision',
    DECIMAL: 'numeric',
    BOOLEAN: 'boolean',
    TIMESTAMP: 'timestamptz',
    DATE: 'date',
  }
  return map[t] ?? 'text'
}

/** HubSpot's property type as a warehouse type; enumerations, phone numbers and the rest are text */
export function hubSpotBase(type: string): ColumnBase {
  const map: Record<string, ColumnBase> = {
    number: 'numeric',
    bool: 'boolean',
    date: 'date',
    datetime: 'timestamptz',
  }
  return map[type] ?? 'text'
}

/**
 * SalesRabbit sends JSON and no types: crmsync guesses from the values it sees (text stays text,
 * whole numbers bigint, others numeric), so a `number` field whose values were all whole may be
 * bigint.
 */
export function salesRabbitBases(type: string, values: readonly unknown[]): ColumnBase[] {
  if (type === 'string') return ['text']
  if (type === 'boolean') return ['boolean']
  if (type === 'integer') return ['bigint']
  const fractional = values.some((v) => typeof v === 'number' && !Number.isInteger(v))
  return fractional ? ['numeric'] : ['bigint', 'numeric']
}

const NUMBER_RANK: Partial<Record<ColumnBase, number>> = { integer: 0, bigint: 1, numeric: 2 }

/** integer → bigint → numeric → text; a double and another number: numeric; anything else differing: text */
export function widen(a: ColumnBase, b: ColumnBase): ColumnBase {
  if (a === b) return a
  const [x, y] = [NUMBER_RANK[a], NUMBER_RANK[b]]
  if (x !== undefined && y !== undefined) return x >= y ? a : b
  const numeric = (t: ColumnBase) => t === 'double precision' || NUMBER_RANK[t] !== undefined
  return numeric(a) && numeric(b) ? 'numeric' : 'text'
}

/**
 * The types a column may have after the source gave its field `types` in turn: the widening of
 * the ones some read saw, which always include the last unless the field was dropped since.
 */
export function typesAfter(types: readonly ColumnBase[], dropped: boolean): ColumnBase[] {
  const out = new Set<ColumnBase>()
  const last = types.length - 1
  for (let mask = 1; mask < 1 << types.length; mask++) {
    if (!dropped && !(mask & (1 << last))) continue
    const seen = types.filter((_, i) => mask & (1 << i))
    out.add(seen.reduce(widen))
  }
  return [...out]
}

/** PostgreSQL's `format_type` spelling as a base type, and a `numeric(p,s)`'s scale */
export function storedBase(sqlType: string): { base: ColumnBase; scale?: number } {
  const decimal = /^numeric\((\d+),(\d+)\)$/.exec(sqlType)
  if (decimal) return { base: 'numeric', scale: Number(decimal[2]) }
  const map: Record<string, ColumnBase> = {
    text: 'text',
    boolean: 'boolean',
    integer: 'integer',
    smallint: 'integer',
    bigint: 'bigint',
    numeric: 'numeric',
    'double precision': 'double precision',
    real: 'double precision',
    'timestamp with time zone': 'timestamptz',
    date: 'date',
    jsonb: 'jsonb',
  }
  return { base: map[sqlType] ?? 'text' }
}
