import { qualified } from '../identifiers.ts'
import type { Queryable } from '../types.ts'

/**
 * Reclaims a table's dead rows for reuse (and gives back empty pages at its end) and refreshes the
 * planner's statistics. The embedded warehouse runs PostgreSQL in single-user mode, where no
 * autovacuum runs: without this, every updated row and every full pass's keys stay on disk for good.
 */
export async function vacuumAnalyze(db: Queryable, schema: string, table: string): Promise<void> {
  await db.query(`VACUUM (ANALYZE) ${qualified(schema, table)}`)
}

/** The same without the statistics: for a table whose rows did not change (ANALYZE reads a sample of every table it is given). */
export async function vacuum(db: Queryable, schema: string, table: string): Promise<void> {
  await db.query(`VACUUM ${qualified(schema, table)}`)
}

/** Writes every changed page to the table files, so the write-ahead log kept beside them can shrink. */
export async function checkpoint(db: Queryable): Promise<void> {
  await db.query('CHECKPOINT')
}
