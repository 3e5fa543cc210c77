import type { Queryable } from '../types.ts'

/** A row of crmsync.credentials. The values live only inside the ciphertext. */
export interface DbCredential {
  source: string
  ciphertext: Uint8Array
  iv: Uint8Array
  auth_tag: Uint8Array
  key_id: string
  variables: string[]
  created_at: Date
  updated_at: Date
}

export type DbCredentialSummary = Omit<DbCredential, 'ciphertext' | 'iv' | 'auth_tag'>

export interface SealedRow {
  source: string
  ciphertext: Uint8Array
  iv: Uint8Array
  authTag: Uint8Array
  keyId: string
}

// the first key of every crmsync advisory lock (as in locks.ts), and the credential store's own
const LOCK = [`crmsync`, `credentials`] as const

export async function selectCredential(db: Queryable, source: string): Promise<DbCredential | undefined> {
  const { rows } = await db.query<DbCredential>(`SELECT * FROM crmsync.credentials WHERE source = $1`, [source])
  return rows[0]
}

/** Every row, locked until the transaction ends: what a key rotation re-encrypts. */
export async function selectCredentialsForUpdate(db: Queryable): Promise<DbCredential[]> {
  const { rows } = await db.query<DbCredential>(`SELECT * FROM crmsync.credentials ORDER BY source FOR UPDATE`)
  return rows
}

/** Names, times and key fingerprints only: no ciphertext leaves the table for a listing. */
export async function listCredentialSummaries(db: Queryable): Promise<DbCredentialSummary[]> {
  const { rows } = await db.query<DbCredentialSummary>(
    `SELECT source, key_id, variables, created_at, updated_at FROM crmsync.credentials ORDER BY source`,
  )
  return rows
}

/** The fingerprints of the keys the stored rows were sealed with. */
export async function selectCredentialKeyIds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ key_id: string }>(`SELECT DISTINCT key_id FROM crmsync.credentials`)
  return rows.map((r) => r.key_id)
}

export async function credentialExists(db: Queryable, source: string): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM crmsync.credentials WHERE source = $1) AS found`,
    [source],
  )
  return rows[0].found
}

export async function upsertCredential(db: Queryable, row: SealedRow, variables: readonly string[]): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.credentials (source, ciphertext, iv, auth_tag, key_id, variables)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (source) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, iv = EXCLUDED.iv, auth_tag = EXCLUDED.auth_tag,
       key_id = EXCLUDED.key_id, variables = EXCLUDED.variables, updated_at = now()`,
    [row.source, row.ciphertext, row.iv, row.authTag, row.keyId, variables],
  )
}

/** A rotation's re-encryption: same values under a new key, so updated_at (when they were set) stays. */
export async function updateCredentialCiphertext(db: Queryable, row: SealedRow): Promise<void> {
  await db.query(
    `UPDATE crmsync.credentials SET ciphertext = $2, iv = $3, auth_tag = $4, key_id = $5 WHERE source = $1`,
    [row.source, row.ciphertext, row.iv, row.authTag, row.keyId],
  )
}

export async function deleteCredential(db: Queryable, source: string): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM crmsync.credentials WHERE source = $1`, [source])
  return rowCount > 0
}

/** Taken by a write of one row, until its transaction ends: many writers at once, never during a rotation. */
export async function lockCredentialsShared(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock_shared(hashtext($1), hashtext($2))`, LOCK)
}

/**
 * Taken by a rotation for its whole session, from before its new key file is written until after
 * it is renamed into place: no row can be sealed with a key that is about to be replaced.
 */
export async function lockCredentialsExclusive(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_advisory_lock(hashtext($1), hashtext($2))`, LOCK)
}

export async function unlockCredentialsExclusive(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_advisory_unlock(hashtext($1), hashtext($2))`, LOCK)
}
