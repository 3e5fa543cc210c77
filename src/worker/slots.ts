import type { Queryable } from '../warehouse/types.ts'

/**
 * Cluster-wide concurrency limits as counting semaphores of advisory locks: a limit of N is N
 * lock slots, and a run holds one slot of each limit it falls under on a session it keeps for the
 * whole run. A process that dies drops its session, and with it its slots: no lease to expire.
 */
const NAMESPACE = 'crmsync.slots'

async function tryLock(db: Queryable, key: string): Promise<boolean> {
  const { rows } = await db.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS locked`, [NAMESPACE, key])
  return rows[0].locked
}

async function unlock(db: Queryable, key: string): Promise<void> {
  await db.query(`SELECT pg_advisory_unlock(hashtext($1), hashtext($2))`, [NAMESPACE, key])
}

/** Takes a free slot of `limit` named `name`, or undefined when all are taken. */
export async function takeSlot(db: Queryable, name: string, limit: number): Promise<string | undefined> {
  for (let i = 0; i < limit; i++) {
    const key = `${name}#${i}`
    if (await tryLock(db, key)) return key
  }
  return undefined
}

export async function releaseSlots(db: Queryable, keys: readonly string[]): Promise<void> {
  for (const key of keys) await unlock(db, key)
}
