import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { redactSecrets } from '../../log.ts'
import { ensureMasterKey, fingerprint, keyFilePath, parseKeyText, resolveMasterKey } from './master-key.ts'

const home = () => join(mkdtempSync(join(tmpdir(), 'crmsync-key-')), 'state')
const posix = process.platform !== 'win32'

describe('master key', () => {
  it('reads 32 bytes as base64, base64url or hex, and nothing else', () => {
    const bytes = randomBytes(32)
    for (const text of [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), ` ${bytes.toString('hex')}\n`]) {
      expect(parseKeyText(text)?.equals(bytes)).toBe(true)
    }
    for (const text of ['', 'short', randomBytes(16).toString('base64'), randomBytes(31).toString('hex'), randomBytes(33).toString('base64')]) {
      expect(parseKeyText(text)).toBeUndefined()
    }
  })

  it('a malformed CRMSYNC_MASTER_KEY is config_invalid, says how to make one, and never echoes it', () => {
    const value = 'not-a-key-but-secret-looking-7f3a9'
    expect(() => resolveMasterKey(home(), { CRMSYNC_MASTER_KEY: value })).toThrow(/CRMSYNC_MASTER_KEY must be 32 random bytes .*openssl rand -base64 32/)
    try {
      resolveMasterKey(home(), { CRMSYNC_MASTER_KEY: value })
    } catch (error) {
      expect((error as Error).message).not.toContain(value)
      expect((error as { code?: string }).code).toBe('config_invalid')
    }
  })

  it.skipIf(!posix)('init creates master.key with mode 0600, then finds it; the key is registered with the redactor', () => {
    const dir = home()
    const first = ensureMasterKey(dir, {})
    expect(first).toMatchObject({ status: 'created', created: true, item: `master key ${keyFilePath(dir)}` })
    expect(statSync(keyFilePath(dir)).mode & 0o777).toBe(0o600)
    const text = readFileSync(keyFilePath(dir), 'utf8').trim()
    expect(first.keyId).toBe(fingerprint(parseKeyText(text)!))
    expect(JSON.stringify(first)).not.toContain(text)
    expect(redactSecrets(`key=${text} hex=${Buffer.from(text, 'base64').toString('hex')}`)).toBe('key=[redacted] hex=[redacted]')
    const second = ensureMasterKey(dir, {})
    expect(second).toMatchObject({ status: 'exists', created: false, keyId: first.keyId })
    expect(readFileSync(keyFilePath(dir), 'utf8').trim()).toBe(text)
  })

  it('CRMSYNC_MASTER_KEY wins, and init then writes no file', () => {
    const dir = home()
    const bytes = randomBytes(32)
    expect(ensureMasterKey(dir, { CRMSYNC_MASTER_KEY: bytes.toString('hex') })).toMatchObject({ status: 'from-env', created: false, keyId: fingerprint(bytes) })
    expect(resolveMasterKey(dir, {})).toBeUndefined()
  })

  it.skipIf(!posix)('a key file group or others can read is refused, with the chmod that fixes it', () => {
    const dir = home()
    ensureMasterKey(dir, {})
    chmodSync(keyFilePath(dir), 0o640)
    expect(() => resolveMasterKey(dir, {})).toThrow(new RegExp(`can be read by group or others \\(mode 0640\\).*chmod 600 ${keyFilePath(dir)}`))
    expect(() => ensureMasterKey(dir, {})).toThrow(/mode 0640/)
    chmodSync(keyFilePath(dir), 0o600)
    expect(resolveMasterKey(dir, {})?.origin).toBe('file')
  })

  it('a key file that holds something else is refused without showing it', () => {
    const dir = home()
    ensureMasterKey(dir, {})
    writeFileSync(keyFilePath(dir), 'garbage-but-maybe-secret\n', { mode: 0o600 })
    expect(() => resolveMasterKey(dir, {})).toThrow(/does not hold a master key/)
    expect(() => resolveMasterKey(dir, {})).not.toThrow(/garbage/)
  })
})
