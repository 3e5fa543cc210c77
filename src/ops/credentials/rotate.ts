import { rmSync } from 'node:fs'
import { SyncError } from '../../errors.ts'
import type { Queryable } from '../../warehouse/types.ts'
import {
  lockCredentialsExclusive,
  selectCredentialKeyIds,
  selectCredentialsForUpdate,
  unlockCredentialsExclusive,
  updateCredentialCiphertext,
} from '../../warehouse/sql/credentials.ts'
import { open, seal, sealedWithAnotherKey } from './crypto.ts'
import { installPendingKey, openKeyRing } from './key-ring.ts'
import {
  generateKeyBytes,
  keyFilePath,
  pendingKeyPath,
  readPendingKey,
  toMasterKey,
  writeKeyFile,
} from './master-key.ts'
import { noMasterKey, toSealed, type CredentialStore } from './store.ts'

export interface RotationResult {
  /** the new key's fingerprint */
  keyId: string
  /** the fingerprint of the key it replaces */
  previousKeyId: string
  /** the sources whose credentials were re-encrypted */
  sources: string[]
  /**
   * `replaced`: master.key now holds the new key. `pending-env`: the key came from
   * CRMSYNC_MASTER_KEY, so the new key waits in `keyFile` for the operator to copy it there.
   */
  outcome: 'replaced' | 'pending-env'
  /** where the new key is */
  keyFile: string
}

/**
 * Re-encrypts every stored secret under a new master key, in one transaction, crash-safe:
 *
 * 1. the new key is written to master.key.new (0600, fsync) before the transaction;
 * 2. every row is re-encrypted and committed at once: all under the old key, or all under the new;
 * 3. after the commit, master.key.new is renamed over master.key.
 *
 * A crash before 2 commits leaves a master.key.new no row uses (the next rotation removes it); a
 * crash between 2 and 3 is finished by the next process that opens the store (key-ring.ts). The
 * rotation holds an exclusive lock that every credential write waits for, from 1 to 3.
 */
export async function rotateMasterKey(store: CredentialStore): Promise<RotationResult> {
  const pendingPath = pendingKeyPath(store.home)
  const session = await store.warehouse.session()
  try {
    await lockCredentialsExclusive(session)
    const ring = await openKeyRing(session, store.home, store.env, store.log)
    const previous = ring.current
    if (!previous) throw noMasterKey(store.home, 'rotating the master key needs one')
    if (previous.origin === 'pending') {
      throw new SyncError(
        'config_invalid',
        `the last rotation is not finished: set CRMSYNC_MASTER_KEY from ${pendingPath}, delete that file, then rotate again`,
      )
    }
    await removeStalePendingKey(session, store.home, previous.keyId)
    const bytes = generateKeyBytes()
    const next = toMasterKey(bytes, 'pending', pendingPath)
    writeKeyFile(pendingPath, bytes)
    let sources: string[]
    try {
      sources = await session.transaction(async (tx) => {
        const rows = await selectCredentialsForUpdate(tx)
        for (const row of rows) {
          const key = ring.find(row.key_id)
          if (!key) throw sealedWithAnotherKey(row.source, row.key_id, previous)
          const plaintext = open(key, toSealed(row), row.source)
          await updateCredentialCiphertext(tx, { source: row.source, ...seal(next, plaintext, row.source) })
        }
        return rows.map((r) => r.source)
      })
    } catch (error) {
      await forgetUnusedKey(store, pendingPath, next.keyId)
      throw error
    }
    const done = { keyId: next.keyId, previousKeyId: previous.keyId, sources }
    // CRMSYNC_MASTER_KEY cannot be renamed into: the operator copies the file there (key-ring.ts bridges the gap)
    if (previous.origin === 'env') return { ...done, outcome: 'pending-env', keyFile: pendingPath }
    installPendingKey(store.home, next.keyId)
    return { ...done, outcome: 'replaced', keyFile: keyFilePath(store.home) }
  } finally {
    await unlockCredentialsExclusive(session).catch(() => {})
    await session.release()
  }
}

// master.key.new while the rows use the key in force: a rotation that failed before its commit left it
async function removeStalePendingKey(db: Queryable, home: string, currentKeyId: string): Promise<void> {
  const pending = readPendingKey(home)
  if (!pending || pending.keyId === currentKeyId) return rmSync(pendingKeyPath(home), { force: true })
  if ((await selectCredentialKeyIds(db)).includes(pending.keyId)) {
    throw new SyncError(
      'config_invalid',
      `some stored credentials are sealed with the key in ${pending.path} and some with ${currentKeyId}: ` +
        'keep both keys, and store the credentials sealed with the other key again before rotating',
    )
  }
  rmSync(pendingKeyPath(home), { force: true })
}

// a failed transaction may still have committed (the connection broke during COMMIT): the new key
// file is removed only when the rows prove they do not need it
async function forgetUnusedKey(store: CredentialStore, path: string, keyId: string): Promise<void> {
  try {
    if (!(await selectCredentialKeyIds(store.warehouse)).includes(keyId)) rmSync(path, { force: true })
  } catch {
    // cannot tell: keep the file; the next open or rotation decides from the rows
  }
}
