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
