import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { SyncError } from '../errors.ts'

/** Whether a process with this pid exists (EPERM: it does, owned by another user). */
export const isProcessAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Claims a directory for this process with an exclusive lock file (`O_EXCL`). A lock left by a
 * process that no longer exists is taken over; a live one is refused with its pid and command.
 */
export async function acquireDirectoryLock(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, 'crmsync.lock')
  const claim = { pid: process.pid, command: process.argv.slice(2).join(' '), since: new Date().toISOString() }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, JSON.stringify(claim))
      closeSync(fd)
      const release = () => rmSync(file, { force: true })
      process.once('exit', release)
      return async () => {
        process.off('exit', release)
        release()
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let holder: { pid?: number; command?: string; since?: string } = {}
      try {
        holder = JSON.parse(readFileSync(file, 'utf8'))
      } catch {
        // a torn lock file: its writer died mid-write, so it holds nothing
      }
      if (holder.pid && holder.pid !== process.pid && isProcessAlive(holder.pid)) {
        throw new SyncError(
          'busy',
          `the embedded warehouse in ${dir} is in use by process ${holder.pid} (crmsync ${holder.command ?? ''}, since ${holder.since ?? '?'}). ` +
            'Wait for it to finish (`crmsync status` shows its progress meanwhile), or set DATABASE_URL to use a PostgreSQL server, which allows concurrent runs.',
        )
      }
      rmSync(file, { force: true })
    }
  }
  throw new SyncError('busy', `could not lock ${dir}`)
}
