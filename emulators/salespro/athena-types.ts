/**
 * How a DuckDB result column looks in Athena: its `ColumnInfo` and the SQL expression that
 * renders its values as Athena prints them (timestamp(3) as `2024-01-01 10:00:00.000`,
 * decimal(12,2) as `12.30`, booleans as `true`/`false`).
 */
export interface ColumnInfo {
  CatalogName: 'hive'
  SchemaName: ''
  TableName: ''
  Name: string
  Label: string
  Type: string
  Precision: number
  Scale: number
  Nullable: 'UNKNOWN'
  CaseSensitive: boolean
}

interface AthenaType {
  type: string
  precision: number
  scale: number
  render: (column: string) => string
}

const TIMESTAMP_FORMAT = `'%Y-%m-%d %H:%M:%S.%g'`
const asText = (c: string) => `CAST(${c} AS VARCHAR)`
const kind = (type: string, precision: number, render = asText): AthenaType => ({
  type,
  precision,
  scale: 0,
  render,
})
const VARCHAR = kind('varchar', 2147483647)

const SIMPLE_TYPES: Record<string, AthenaType> = {
  VARCHAR,
  UUID: VARCHAR,
  BOOLEAN: kind('boolean', 0),
  TINYINT: kind('tinyint', 3),
  UTINYINT: kind('tinyint', 3),
  SMALLINT: kind('smallint', 5),
  USMALLINT: kind('smallint', 5),
  INTEGER: kind('integer', 10),
  UINTEGER: kind('integer', 10),
  BIGINT: kind('bigint', 19),
  UBIGINT: kind('bigint', 19),
  HUGEINT: kind('bigint', 19),
  UHUGEINT: kind('bigint', 19),
  FLOAT: kind('float', 17, (c) => `athena_double(${c})`),
  DOUBLE: kind('double', 17, (c) => `athena_double(${c})`),
  DATE: kind('date', 0, (c) => `strftime(${c}, '%Y-%m-%d')`),
  TIME: kind('time', 3, (c) => `strftime(TIMESTAMP '1970-01-01' + ${c}, '%H:%M:%S.%g')`),
  'TIMESTAMP WITH TIME ZONE': kind(
    'timestamp with time zone',
    3,
    (c) => `strftime(timezone('UTC', ${c}), ${TIMESTAMP_FORMAT}) || ' UTC'`,
  ),
  BLOB: kind('varbinary', 0),
  JSON: kind('json', 0),
  INTERVAL: kind('interval day to second', 0),
}

function athenaType(duckType: string): AthenaType {
  const t = duckType.toUpperCase()
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t)
  if (decimal) return { type: 'decimal', precision: +decimal[1], scale: +decimal[2], render: asText }
  if (SIMPLE_TYPES[t]) return SIMPLE_TYPES[t]
  if (t.startsWith('VARCHAR(')) return VARCHAR
  if (t.startsWith('TIMESTAMP')) {
    return kind('timestamp', 3, (c) => `strftime(CAST(${c} AS TIMESTAMP), ${TIMESTAMP_FORMAT})`)
  }
  if (t.endsWith('[]') || /\[\d+\]$/.test(t)) return kind('array', 0)
  if (t.startsWith('STRUCT')) return kind('row', 0)
  if (t.startsWith('MAP')) return kind('map', 0)
  return VARCHAR
}

export function columnInfo(name: string, duckType: string): ColumnInfo {
  const { type, precision, scale } = athenaType(duckType)
  return {
    CatalogName: 'hive',
    SchemaName: '',
    TableName: '',
    Name: name,
    Label: name,
    Type: type,
    Precision: precision,
    Scale: scale,
    Nullable: 'UNKNOWN',
    CaseSensitive: type === 'varchar' || type === 'char',
  }
}

/** the SQL that renders `column` (of DuckDB type `duckType`) as Athena's text, NULL staying NULL */
export const renderSql = (column: string, duckType: string) => athenaType(duckType).render(column)

/**
 * Athena (Trino) names unaliased expressions `_col0`, `_col1`, … by position and lowercases
 * identifiers; DuckDB names them after the expression (`count_star()`).
 */
export function athenaColumnName(duckName: string, position: number): string {
  const named = /^[A-Za-z_][A-Za-z0-9_ $-]*$/.test(duckName)
  return named ? duckName.toLowerCase() : `_col${position}`
}
