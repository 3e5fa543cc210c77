/**
 * The invariants of a history table (src/warehouse/history.ts), checked against its stream table:
 * per key, versions contiguous and non-overlapping, each non-empty, exactly the last one current
 * (`_valid_to` NULL); exactly one current version per row of the table, live or soft-deleted, whose
 * `_hash` and `_deleted` are the row's; no version of a key the table does not have. Returns the
 * problems found, in words (empty when there are none). Used by the integration tests and the chaos
 * harness alike.
 */
interface Db {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>
}

const q = (name: string) => `"${name.replaceAll('"', '""')}"`

export async function historyProblems(db: Db, schema: string, table: string, primaryKey: readonly string[]): Promise<string[]> {
  const t = `${q(schema)}.${q(table)}`
  const h = `${q(schema)}.${q(`${table}__history`)}`
  const keys = primaryKey.map(q).join(', ')
  const keyOf = (alias: string) => primaryKey.map((k) => `${alias}.${q(k)}::text`).join(` || '|' || `)
  const match = primaryKey.map((k) => `h.${q(k)} = t.${q(k)}`).join(' AND ')
  const checks: [string, string][] = [
    [
      'versions of a key not contiguous, overlapping, empty, or current where not last',
      `SELECT key FROM (
         SELECT ${keyOf('h')} AS key, "_valid_from" AS f, "_valid_to" AS t, "_is_current" AS cur,
           lead("_valid_from") OVER w AS next_from
         FROM ${h} h WINDOW w AS (PARTITION BY ${keys} ORDER BY "_valid_from")) v
       WHERE (next_from IS NULL AND (t IS NOT NULL OR NOT cur))
          OR (next_from IS NOT NULL AND (t IS DISTINCT FROM next_from OR cur))
          OR (t IS NOT NULL AND t <= f)`,
    ],
    [
      'rows without exactly one current version',
      `SELECT ${keyOf('t')} AS key FROM ${t} t
       WHERE (SELECT count(*) FROM ${h} h WHERE ${match} AND h."_is_current") <> 1`,
    ],
    [
      "current versions whose _hash or _deleted is not the row's",
      `SELECT ${keyOf('t')} AS key FROM ${t} t JOIN ${h} h ON ${match} AND h."_is_current"
       WHERE h."_hash" IS DISTINCT FROM t."_hash" OR h."_deleted" <> (t."_deleted_at" IS NOT NULL)`,
    ],
    ['versions of keys the table does not have', `SELECT ${keyOf('h')} AS key FROM ${h} h WHERE NOT EXISTS (SELECT 1 FROM ${t} t WHERE ${match})`],
  ]
  const problems: string[] = []
  for (const [what, sql] of checks) {
    const { rows } = await db.query(`${sql} LIMIT 5`)
    if (rows.length) problems.push(`${schema}.${table}__history: ${what}: ${rows.map((r) => String(r.key)).join(', ')}`)
  }
  return problems
}
