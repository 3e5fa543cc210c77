import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { SyncError } from '../../errors.ts'
import { describeKey, type MasterKey } from './master-key.ts'

/** A sealed secret: what crmsync.credentials stores. Nothing in it is readable without the key. */
export interface Sealed {
  ciphertext: Buffer
  /** 12 random bytes, new for every seal: GCM must never see one (key, iv) pair twice */
  iv: Buffer
  /** GCM's 16-byte tag: any change to the ciphertext, iv or source makes opening fail */
  authTag: Buffer
  /** the fingerprint of the key that sealed it */
  keyId: string
}

const ALGORITHM = 'aes-256-gcm'

/**
 * Encrypts with AES-256-GCM. The source name is the additional authenticated data, so a row
 * copied to another source (someone swapping the SalesPro row in for HubSpot's) fails to open.
 */
export function seal(key: MasterKey, plaintext: string, source: string): Sealed {
  const iv = randomBytes(12)
  const cipher = createCipheriv(ALGORITHM, key.key, iv)
  cipher.setAAD(Buffer.from(source, 'utf8'))
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return { ciphertext, iv, authTag: cipher.getAuthTag(), keyId: key.keyId }
}

/** Decrypts a sealed secret, or says why it cannot: a different key, or bytes that were altered. */
export function open(key: MasterKey, sealed: Sealed, source: string): string {
  if (sealed.keyId !== key.keyId) throw sealedWithAnotherKey(source, sealed.keyId, key)
  try {
    const decipher = createDecipheriv(ALGORITHM, key.key, sealed.iv)
    decipher.setAAD(Buffer.from(source, 'utf8'))
    decipher.setAuthTag(sealed.authTag)
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8')
  } catch (error) {
    throw new SyncError(
      'config_invalid',
      `the credentials of ${source} cannot be decrypted with master key ${key.keyId}: the stored row was altered, ` +
        `or it belongs to another source. Store them again: crmsync credentials delete ${source}, ` +
        `then crmsync credentials set ${source}`,
      { cause: error },
    )
  }
}

export function sealedWithAnotherKey(source: string, keyId: string, key: MasterKey | undefined): SyncError {
  const using = key ? `the master key in use is ${key.keyId} (${describeKey(key)})` : 'no master key is available'
  return new SyncError(
    'config_invalid',
    `the credentials of ${source} were sealed with another master key (${keyId}); ${using}. ` +
      `Use the key they were sealed with (CRMSYNC_MASTER_KEY or the master.key file), or replace them: ` +
      `crmsync credentials delete ${source}, then crmsync credentials set ${source}`,
  )
}
