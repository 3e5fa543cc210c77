import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { isProcessAlive } from '../warehouse/directory-lock.ts'
import type { Warehouse } from '../warehouse/types.ts'
import { buildStatusReport, statusReportSchema } from './status-report.ts'

/**
 * The embedded warehouse can be opened by one process only (PGlite has one connection and its
 * directory a lock), so `status` beside a running sync cannot read it. The process that holds it
 * publishes what `status` would print to this file instead, written whole (a temporary file
 * renamed over it, so a reader never sees half of one), every couple of seconds, and removes it
 * when it lets the warehouse go.
 */
export const SNAPSHOT_FILE = 'status-snapshot.json'

const snapshotSchema = z.object({
  pid: z.number().int().positive(),
  command: z.string(),
  snapshotAt: z.coerce.date(),
  report: statusReportSchema,
})

export type StatusSnapshot = z.infer<typeof snapshotSchema>

/** Starts publishing the holder's status every `intervalMs`; the returned stop ends it and removes the file. */
export function publishStatusSnapshots(warehouse: Warehouse, home: string, options: { intervalMs?: number; onError?: (error: unknown) => void } = {}): () => Promise<void> {
  const file = join(home, SNAPSHOT_FILE)
  let inFlight: Promise<void> | undefined
  let stopped = false
  const publish = async () => {
    const report = await buildStatusReport(warehouse)
    if (stopped) return
    const snapshot = { pid: process.pid, command: process.argv.slice(2).join(' '), snapshotAt: new Date(), report }
    const temporary = `${file}.${process.pid}.tmp`
    writeFileSync(temporary, JSON.stringify(snapshot), { mode: 0o600 })
    renameSync(temporary, file)
  }
  const tick = () => {
    // a refresh still waiting for the warehouse (behind a long commit) is not queued twice
    if (inFlight || stopped) return
    inFlight = publish()
      .catch((error) => options.onError?.(error))
      .finally(() => (inFlight = undefined))
  }
  const timer = setInterval(tick, options.intervalMs ?? 2000)
  // a process that ends without closing (an uncaught error, process.exit) leaves no snapshot behind
  const removeFile = () => rmSync(file, { force: true })
  process.once('exit', removeFile)
  tick()
  return async () => {
    stopped = true
    clearInterval(timer)
    await inFlight
    process.off('exit', removeFile)
    removeFile()
  }
}

/**
 * The snapshot published by the live process holding the embedded warehouse in `home`, or
 * undefined: no file, a file that is not a snapshot, or one whose process is gone (its figures
 * describe a sync that no longer runs, and must not be shown as live).
 */
export function readStatusSnapshot(home: string): StatusSnapshot | undefined {
  let text: string
  try {
    text = readFileSync(join(home, SNAPSHOT_FILE), 'utf8')
  } catch {
    return undefined
  }
  let parsed: StatusSnapshot
  try {
    parsed = snapshotSchema.parse(JSON.parse(text))
  } catch {
    return undefined
  }
  return parsed.pid !== process.pid && isProcessAlive(parsed.pid) ? parsed : undefined
}
