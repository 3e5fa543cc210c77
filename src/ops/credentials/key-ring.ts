import { renameSync } from 'node:fs'
import { SyncError } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import type { Queryable } from '../../warehouse/types.ts'
import { selectCredentialKeyIds } from '../../warehouse/sql/credentials.ts'
import {
  describeKey,
  keyFilePath,
  pendingKeyPath,
  readKeyFile,
  readPendingKey,
  resolveMasterKey,
  syncDirectory,
  type MasterKey,
} from './master-key.ts'

type Env = Readonly<Record<string, string | undefined>>

/** The keys that can open the stored rows, and the one new rows are sealed with. */
export interface KeyRing {
  /** the key new secrets are sealed with; undefined when no credential store is set up */
  current: MasterKey | undefined
  /** the key a row was sealed with, by its fingerprint */
  find(keyId: string): MasterKey | undefined
}

// said once per pending key, not at every open: a worker opens the store at every run
const warnedPending = new Set<string>()

/**
 * Works out which key is in force, finishing a rotation that was interrupted.
 *
 * A rotation writes its new key to master.key.new, re-encrypts every row in one transaction, and
 * then renames the file over master.key. When the stored rows carry master.key.new's fingerprint
 * and not master.key's, the transaction committed and only the rename is missing: it is done
 * here, so a crash between the commit and the rename loses nothing. With CRMSYNC_MASTER_KEY the
 * file cannot be renamed into the environment: the operator was told to copy it there, and until
 * then its key is used. A master.key.new no row uses is left alone: a rotation may be writing it.
 */
export async function openKeyRing(db: Queryable, home: string, env: Env, log?: Logger): Promise<KeyRing> {
  const primary = resolveMasterKey(home, env)
  const pending = readPendingKey(home)
  const ring = (current: MasterKey | undefined): KeyRing => ({
    current,
    find: (keyId) => [current, primary, pending].find((k) => k?.keyId === keyId),
  })
  if (!pending || pending.keyId === primary?.keyId) return ring(primary)
  const inUse = await selectCredentialKeyIds(db)
  if (!inUse.includes(pending.keyId) || (primary && inUse.includes(primary.keyId))) return ring(primary)
  if (primary?.origin === 'env') {
    if (!warnedPending.has(pending.keyId)) {
      log?.warn(
        'the stored credentials were re-encrypted by `crmsync credentials rotate-key` under the key in ' +
          `${pendingKeyPath(home)}: set CRMSYNC_MASTER_KEY from that file, then delete it. Until then that file is used.`,
      )
      warnedPending.add(pending.keyId)
    }
    return ring(pending)
  }
  const installed = installPendingKey(home, pending.keyId)
  const message = `finished an interrupted key rotation: ${describeKey(installed)} now holds the new key`
  log?.info({ keyId: installed.keyId }, message)
  return ring(installed)
}

/**
 * Renames master.key.new over master.key (atomic), then fsyncs the directory. Two processes may
 * race to finish the same rotation: the one that finds the file gone checks that master.key
 * already holds the expected key.
 */
export function installPendingKey(home: string, keyId: string): MasterKey {
  try {
    renameSync(pendingKeyPath(home), keyFilePath(home))
    syncDirectory(home)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const installed = readKeyFile(keyFilePath(home), 'file')
  if (installed.keyId !== keyId) {
    throw new SyncError(
      'config_invalid',
      `${keyFilePath(home)} holds master key ${installed.keyId}, but the rotation being finished installed ${keyId}: ` +
        'another process changed the key file meanwhile. Restore the key the stored credentials were sealed with.',
    )
  }
  return installed
}
