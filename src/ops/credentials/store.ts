import { z } from 'zod'
import { SyncError } from '../../errors.ts'
import { registerSecret, type Logger } from '../../log.ts'
import {
  credentialExists,
  deleteCredential,
  listCredentialSummaries,
  lockCredentialsShared,
  selectCredential,
  upsertCredential,
  type DbCredential,
} from '../../warehouse/sql/credentials.ts'
import type { Warehouse } from '../../warehouse/types.ts'
import { open, seal, sealedWithAnotherKey, type Sealed } from './crypto.ts'
import { openKeyRing, type KeyRing } from './key-ring.ts'
import { keyFilePath } from './master-key.ts'
import { credentialVariables, isSecretVariable, isSet } from './sources.ts'

/** What the credential store works with: the warehouse holding the rows, and where the key is. */
export interface CredentialStore {
  warehouse: Warehouse
  /** CRMSYNC_HOME: master.key and master.key.new live here */
  home: string
  /** the environment: CRMSYNC_MASTER_KEY */
  env: Readonly<Record<string, string | undefined>>
  log?: Logger
}

export interface CredentialSummary {
  source: string
  /** the variable names stored; their values never leave the ciphertext */
  variables: string[]
  /** the fingerprint of the master key that sealed them */
  keyId: string
  createdAt: Date
  updatedAt: Date
}

// what a sealed row decrypts to: variable name → value
const plaintextSchema = z.record(z.string(), z.string())

export const noMasterKey = (home: string, what = 'the credential store needs a master key') =>
  new SyncError(
    'config_invalid',
    `${what}, and there is none: run \`crmsync init\` (it creates ${keyFilePath(home)}), or set CRMSYNC_MASTER_KEY`,
  )

/**
 * Stores the credentials of a source, replacing what was there, sealed with the master key in
 * force. Every name must be one of the source's variables; empty values are not stored.
 */
export async function setCredentials(
  store: CredentialStore,
  source: string,
  variables: Record<string, string>,
): Promise<{ keyId: string }> {
  const known = credentialVariables(source).map((v) => v.name)
  const unknown = Object.keys(variables).filter((name) => !known.includes(name))
  if (unknown.length) {
    throw new SyncError('config_invalid', `${source} credentials are ${known.join(', ')}; not ${unknown.join(', ')}`)
  }
  const entries = Object.entries(variables).filter(([, value]) => isSet(value))
  if (entries.length === 0) {
    throw new SyncError('config_invalid', `no value was given for ${source}: nothing was stored`)
  }
  const values = Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)))
  for (const [name, value] of entries) if (isSecretVariable(name)) registerSecret(value)
  const session = await store.warehouse.session()
  try {
    return await session.transaction(async (tx) => {
      // a rotation holds the exclusive side of this lock until its new key file is in place
      await lockCredentialsShared(tx)
      const ring = await openKeyRing(tx, store.home, store.env, store.log)
      if (!ring.current) throw noMasterKey(store.home, `storing the credentials of ${source} needs a master key`)
      const sealed = seal(ring.current, JSON.stringify(values), source)
      await upsertCredential(tx, { source, ...sealed }, Object.keys(values))
      return { keyId: sealed.keyId }
    })
  } finally {
    await session.release()
  }
}

/** The stored credentials of a source, decrypted, or undefined when none are stored. */
export async function getCredentials(
  store: CredentialStore,
  source: string,
): Promise<Record<string, string> | undefined> {
  const row = await selectCredential(store.warehouse, source)
  if (!row) return undefined
  return openRow(await openKeyRing(store.warehouse, store.home, store.env, store.log), row)
}

/** Opens one row with the key ring; every secret value is registered with the log redactor. */
export function openRow(ring: KeyRing, row: DbCredential): Record<string, string> {
  const key = ring.find(row.key_id)
  if (!key) throw sealedWithAnotherKey(row.source, row.key_id, ring.current)
  const text = open(key, toSealed(row), row.source)
  const parsed = plaintextSchema.safeParse(safeJson(text))
  if (!parsed.success) {
    const message = `the stored credentials of ${row.source} are not a set of variables: store them again`
    throw new SyncError('config_invalid', message)
  }
  for (const [name, value] of Object.entries(parsed.data)) if (isSecretVariable(name)) registerSecret(value)
  return parsed.data
}

export async function listCredentials(store: Pick<CredentialStore, 'warehouse'>): Promise<CredentialSummary[]> {
  const rows = await listCredentialSummaries(store.warehouse)
  return rows.map((r) => ({
    source: r.source,
    variables: r.variables,
    keyId: r.key_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }))
}

/** Deletes the stored credentials of a source; false when there were none. */
export async function deleteCredentials(store: Pick<CredentialStore, 'warehouse'>, source: string): Promise<boolean> {
  return deleteCredential(store.warehouse, source)
}

export async function hasCredentials(store: Pick<CredentialStore, 'warehouse'>, source: string): Promise<boolean> {
  return credentialExists(store.warehouse, source)
}

// pg answers bytea as Buffer, PGlite as Uint8Array: the cipher wants Buffers
export const toSealed = (row: DbCredential): Sealed => ({
  ciphertext: Buffer.from(row.ciphertext),
  iv: Buffer.from(row.iv),
  authTag: Buffer.from(row.auth_tag),
  keyId: row.key_id,
})

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
