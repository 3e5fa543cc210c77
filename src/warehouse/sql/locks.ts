import type { Queryable } from '../types.ts'

// the first key of every crmsync advisory lock, so other applications' locks never collide with ours
const NAMESPACE = 'crmsync'

/**
 * Takes the session-level advisory lock of one stream. Session-level, not transaction-level: the
 * lock must outlive the commit of every page, for the whole run.
 */
export async function tryStreamLock(db: Queryable, source: string, stream: string): Promise<boolean> {
  const { rows } = await db.query<{ locked: boolean }>(
    `SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked`,
    [NAMESPACE, `${source}.${stream}`],
  )
  return rows[0].locked
}

export async function unlockStream(db: Queryable, source: string, stream: string): Promise<void> {
  await db.query(`SELECT pg_advisory_unlock(hashtext($1), hashtext($2))`, [NAMESPACE, `${source}.${stream}`])
}

/**
 * A SQL condition, true while some session of this database holds the lock of the stream named by
 * the two SQL expressions. It looks at pg_locks without taking the lock: a check that took it,
 * even for a moment, turned away a run of the stream that started in that moment.
 */
export function streamLockHeld(sourceSql: string, streamSql: string): string {
  // pg_try_advisory_lock(int4, int4) shows as classid = key 1, objid = key 2, objsubid = 2
  return `EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND classid = hashtext('${NAMESPACE}')::oid AND objid = hashtext(${sourceSql} || '.' || ${streamSql})::oid)`
}
