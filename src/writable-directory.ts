import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { SyncError } from './errors.ts'

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a directory',
  // /proc and similar pseudo file systems answer ENOENT to any new directory
  ENOENT: 'the file system does not allow new directories there',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
}

const reasonOf = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code ?? ''
  return `${REASONS[code] ?? (error as Error).message}${code ? ` (${code})` : ''}`
}

/**
 * Makes sure `dir` exists and this process may write in it, creating it and its missing parents
 * one by one. `mkdirSync(dir, { recursive: true })` is not used: on a pseudo file system such as
 * /proc it retries forever at 100% CPU, in synchronous code no signal can interrupt.
 * `setting` names the setting the directory came from (`CRMSYNC_HOME`), so the message says what
 * to change. Problems are config_invalid: the CLI exits 2 at once, naming the directory and why.
 */
export function ensureWritableDirectory(dir: string, options: { setting?: string } = {}): void {
  const what = options.setting
  const target = resolve(dir)
  const missing: string[] = []
  let current = target
  for (;;) {
    try {
      if (!statSync(current).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' })
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw problem(target, 'cannot be created', error, what)
      missing.unshift(current)
      const parent = dirname(current)
      if (parent === current) break
      current = parent
    }
  }
  for (const path of missing) {
    try {
      mkdirSync(path, { mode: 0o700 })
    } catch (error) {
      // another process made it meanwhile: as good as made here
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw problem(target, 'cannot be created', error, what)
    }
  }
  try {
    accessSync(target, constants.W_OK | constants.X_OK)
  } catch (error) {
    throw problem(target, 'is not writable', error, what)
  }
}

function problem(target: string, what: string, error: unknown, setting: string | undefined): SyncError {
  const fix = setting ? `. Set ${setting} to a directory this user can write` : ''
  return new SyncError('config_invalid', `${setting ? `${setting} ` : ''}${target} ${what}: ${reasonOf(error)}${fix}`, { cause: error })
}
