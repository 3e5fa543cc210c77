/**
 * The few Presto/Trino functions Athena queries use that DuckDB lacks, as DuckDB macros created
 * in the Athena database's schema (so they resolve after `USE awsdatacatalog.<db>`), plus a
 * query rewrite for `date_parse`/`date_format`, whose format must be a constant in DuckDB.
 */
export const prestoMacros = (schema: string): string[] => [
  `CREATE MACRO ${schema}.json_extract_scalar(j, p) AS json_extract_string(j, p)`,
  `CREATE MACRO ${schema}.json_parse(s) AS CAST(s AS JSON)`,
  `CREATE MACRO ${schema}.json_format(j) AS CAST(j AS VARCHAR)`,
  `CREATE MACRO ${schema}.from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)`,
  `CREATE MACRO ${schema}.from_iso8601_date(s) AS CAST(s AS DATE)`,
  `CREATE MACRO ${schema}.to_unixtime(ts) AS epoch(ts)`,
  `CREATE MACRO ${schema}.from_unixtime(n) AS make_timestamp(CAST(n * 1000000 AS BIGINT))`,
  `CREATE MACRO ${schema}.regexp_like(s, p) AS regexp_matches(s, p)`,
  // Trino's date_add(unit, value, timestamp); it replaces DuckDB's two-argument date_add here
  `CREATE MACRO ${schema}.date_add(unit, n, ts) AS ts + CAST(CAST(n AS VARCHAR) || ' ' || unit AS INTERVAL)`,
  // Java's Double.toString: 1.0, 0.5, 1.0E20, 1.234E-5, NaN, Infinity
  `CREATE MACRO ${schema}.athena_double(x) AS CASE
     WHEN x IS NULL THEN NULL
     WHEN isnan(x) THEN 'NaN'
     WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END
     WHEN x = 0 THEN '0.0'
     WHEN abs(x) >= 1e-3 AND abs(x) < 1e7 THEN
       CASE WHEN x = trunc(x) THEN printf('%.1f', x) ELSE CAST(x AS VARCHAR) END
     ELSE regexp_replace(
       regexp_replace(CAST(x AS VARCHAR), '^(-?\\d+)e', '\\1.0e'),
       'e\\+?(-?)0*(\\d+)$',
       'E\\1\\2'
     )
   END`,
]

/** MySQL-style specifiers (Presto's date_parse/date_format) → strftime/strptime ones */
const FORMAT_SPECIFIERS: Record<string, string> = {
  '%i': '%M', '%s': '%S', '%S': '%S', '%T': '%H:%M:%S', '%c': '%-m', '%e': '%-d', '%k': '%-H', '%l': '%-I',
  '%h': '%I', '%M': '%B', '%r': '%I:%M:%S %p', '%W': '%A', '%v': '%V', '%x': '%G',
}
const convertFormat = (format: string) =>
  format.replace(/%[A-Za-z]/g, (spec) => FORMAT_SPECIFIERS[spec] ?? spec)

/** one argument: literals, or at most one level of nested parentheses */
const ARGUMENT = String.raw`(?:[^()']|'(?:[^']|'')*'|\((?:[^()']|'(?:[^']|'')*')*\))*?`
const DATE_FUNCTION = new RegExp(
  String.raw`\b(date_parse|date_format)\s*\((${ARGUMENT}),\s*'((?:[^']|'')*)'\s*\)`,
  'gi',
)

export function rewritePrestoFunctions(sql: string): string {
  return sql.replace(DATE_FUNCTION, (_all, name: string, value: string, format: string) => {
    const fn = name.toLowerCase() === 'date_parse' ? 'strptime' : 'strftime'
    return `${fn}(${value}, '${convertFormat(format)}')`
  })
}
