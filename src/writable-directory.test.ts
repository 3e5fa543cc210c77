import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ensureWritableDirectory } from './writable-directory.ts'

const scratch = mkdtempSync(join(tmpdir(), 'crmsync-dir-'))

describe('ensureWritableDirectory', () => {
  it('creates a missing directory and its parents', () => {
    const dir = join(scratch, 'a', 'b', 'c')
    ensureWritableDirectory(dir)
    expect(existsSync(dir)).toBe(true)
    ensureWritableDirectory(dir) // and an existing one is fine
  })

  it('refuses a directory /proc will not create, at once (mkdir -p loops there forever)', () => {
    expect(() => ensureWritableDirectory('/proc/crmsync-nowhere/pgdata', { setting: 'CRMSYNC_HOME' })).toThrow(
      /^CRMSYNC_HOME \/proc\/crmsync-nowhere\/pgdata cannot be created: the file system does not allow new directories there \(ENOENT\)\. Set CRMSYNC_HOME/,
    )
  })

  it('refuses a path through a file', () => {
    const file = join(scratch, 'file')
    writeFileSync(file, '')
    expect(() => ensureWritableDirectory(join(file, 'x'))).toThrow(/cannot be created: a part of the path is a file/)
    expect(() => ensureWritableDirectory(file)).toThrow(/cannot be created: a part of the path is a file/)
  })

  it.skipIf(process.getuid?.() === 0)('refuses a read-only directory as not writable', () => {
    const dir = join(scratch, 'read-only')
    mkdirSync(dir)
    chmodSync(dir, 0o555)
    expect(() => ensureWritableDirectory(dir)).toThrow(/is not writable: permission denied/)
    expect(() => ensureWritableDirectory(join(dir, 'x'))).toThrow(/cannot be created: permission denied/)
  })
})
