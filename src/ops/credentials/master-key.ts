import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto'
import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { SyncError } from '../../errors.ts'
import { ensureWritableDirectory } from '../../writable-directory.ts'
import { registerSecret } from '../../log.ts'

type Env = Readonly<Record<string, string | undefined>>

export const KEY_FILE = 'master.key'
/** a rotation's new key, written before its transaction and renamed over master.key after it */
export const PENDING_KEY_FILE = 'master.key.new'

export const keyFilePath = (home: string) => join(home, KEY_FILE)
export const pendingKeyPath = (home: string) => join(home, PENDING_KEY_FILE)

/**
 * The master key that seals every stored credential. The key is held as a KeyObject, which shows
 * no bytes when logged, inspected or serialised, so passing one to a logger by mistake leaks
 * nothing (the original system logged its generated key).
 */
export interface MasterKey {
  readonly key: KeyObject
  /** a fingerprint, stored beside each sealed row: the first 16 hex digits of the key's SHA-256 */
  readonly keyId: string
  /** `env`: CRMSYNC_MASTER_KEY; `file`: master.key; `pending`: master.key.new, a rotation's new key */
  readonly origin: 'env' | 'file' | 'pending'
  /** the key file it came from; undefined for CRMSYNC_MASTER_KEY */
  readonly path?: string
}

const GENERATE = 'generate one with `openssl rand -base64 32`'
const FORMAT = '32 random bytes written as base64 (44 characters) or hex (64 digits)'

/** Reads key text (base64, base64url or hex, surrounding whitespace ignored); undefined when it is not 32 bytes. */
export function parseKeyText(text: string): Buffer | undefined {
  const trimmed = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex')
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return undefined
  // node's base64 decoder also reads the url-safe alphabet
  const bytes = Buffer.from(trimmed, 'base64')
  return bytes.length === 32 ? bytes : undefined
}

export const fingerprint = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16)

/** Wraps key bytes; every text form of the key is registered with the log redactor first. */
export function toMasterKey(bytes: Buffer, origin: MasterKey['origin'], path?: string): MasterKey {
  for (const encoding of ['base64', 'base64url', 'hex'] as const) registerSecret(bytes.toString(encoding))
  return { key: createSecretKey(bytes), keyId: fingerprint(bytes), origin, path }
}

/** Where a key comes from, for messages: never the key itself. */
export const describeKey = (key: MasterKey) => (key.origin === 'env' ? 'CRMSYNC_MASTER_KEY' : key.path ?? 'a key file')

/**
 * The master key: CRMSYNC_MASTER_KEY when set, else `<home>/master.key`, else undefined (no
 * credential store is set up). A malformed key or a key file others can read is config_invalid,
 * and no message ever holds the key's text.
 */
export function resolveMasterKey(home: string, env: Env): MasterKey | undefined {
  const fromEnv = env.CRMSYNC_MASTER_KEY
  if (fromEnv !== undefined && fromEnv !== '') {
    const bytes = parseKeyText(fromEnv)
    if (!bytes) throw new SyncError('config_invalid', `CRMSYNC_MASTER_KEY must be ${FORMAT}; ${GENERATE}`)
    return toMasterKey(bytes, 'env')
  }
  const path = keyFilePath(home)
  return existsSync(path) ? readKeyFile(path, 'file') : undefined
}

/** True when a master key is configured; checks nothing else (no read, no format check). */
export const hasMasterKey = (home: string, env: Env) =>
  (env.CRMSYNC_MASTER_KEY ?? '') !== '' || existsSync(keyFilePath(home)) || existsSync(pendingKeyPath(home))

/** The new key of a rotation that has not finished (master.key.new), if there is one. */
export function readPendingKey(home: string): MasterKey | undefined {
  const path = pendingKeyPath(home)
  return existsSync(path) ? readKeyFile(path, 'pending') : undefined
}

export function readKeyFile(path: string, origin: 'file' | 'pending'): MasterKey {
  assertPrivate(path)
  const bytes = parseKeyText(readFileSync(path, 'utf8'))
  if (!bytes) {
    const fix = `${GENERATE}, or run \`crmsync init\` where there is none`
    throw new SyncError('config_invalid', `${path} does not hold a master key (${FORMAT}); ${fix}`)
  }
  return toMasterKey(bytes, origin, path)
}

/** A key file must be the owner's alone: one that group or others can read is refused, not used. */
function assertPrivate(path: string): void {
  if (process.platform === 'win32') return // no POSIX modes there; the ACLs of the profile apply
  const mode = statSync(path).mode & 0o777
  if (mode & 0o077) {
    const octal = `0${mode.toString(8)}`
    throw new SyncError(
      'config_invalid',
      `${path} can be read by group or others (mode ${octal}): a master key must be private to its owner. ` +
        `Run \`chmod 600 ${path}\`, and consider the key exposed if others could have read it ` +
        '(then `crmsync credentials rotate-key`).',
    )
  }
}

export const generateKeyBytes = () => randomBytes(32)

/**
 * Writes a new key file: created exclusively (never over an existing key), mode 0600 from the
 * first byte, fsynced with its directory so a crash cannot leave a rename pointing at nothing.
 */
export function writeKeyFile(path: string, bytes: Buffer): void {
  ensureWritableDirectory(dirname(path))
  const fd = openSync(path, 'wx', 0o600)
  try {
    fchmodSync(fd, 0o600) // the umask may have taken bits away, never added: this makes it exact
    writeSync(fd, `${bytes.toString('base64')}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  syncDirectory(dirname(path))
}

/** fsync of a directory makes a create or rename in it durable; some platforms cannot, which is harmless. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // windows refuses to open a directory; its renames are durable enough for a key file
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

export interface MasterKeySetup {
  status: 'created' | 'exists' | 'from-env'
  /** true only when this call wrote a new key file */
  created: boolean
  /** what `init` reports: `master key <path>` or `master key (CRMSYNC_MASTER_KEY)` */
  item: string
  keyId: string
  path?: string
}

/**
 * For `crmsync init`: makes sure there is a master key. CRMSYNC_MASTER_KEY wins (it is checked,
 * and no file is written); an existing key file is checked and kept; otherwise a new random key
 * is written to `<home>/master.key`, mode 0600. The key is never printed or logged.
 */
export function ensureMasterKey(home: string, env: Env): MasterKeySetup {
  const existing = resolveMasterKey(home, env)
  if (existing?.origin === 'env') {
    return { status: 'from-env', created: false, item: 'master key (CRMSYNC_MASTER_KEY)', keyId: existing.keyId }
  }
  const path = keyFilePath(home)
  if (existing) return { status: 'exists', created: false, item: `master key ${path}`, keyId: existing.keyId, path }
  const bytes = generateKeyBytes()
  writeKeyFile(path, bytes)
  const { keyId } = toMasterKey(bytes, 'file', path)
  return { status: 'created', created: true, item: `master key ${path}`, keyId, path }
}
