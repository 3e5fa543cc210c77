import type { EngineEvents } from '../engine/events.ts'
import type { RetryPolicy } from '../engine/run-stream.ts'
import { runSync, type SyncTarget } from '../engine/run-sync.ts'
import type { Logger } from '../log.ts'
import { attachOperations } from '../ops/attach-operations.ts'
import type { Warehouse } from '../warehouse/types.ts'
import type { SyncJob } from './queue.ts'
import { fireDueSchedules } from './scheduler.ts'
import { loadCheckedTarget } from './checked-target.ts'

/**
 * The worker on the embedded warehouse: PGlite lives inside one process, so there is no queue
 * and no second worker; this process ticks the schedules and runs the due streams itself, one
 * after another. For several workers, point DATABASE_URL at a PostgreSQL server.
 */
export async function runEmbeddedWorker(deps: {
  warehouse: Warehouse
  log: Logger
  events: EngineEvents
  retry: RetryPolicy
  loadTarget(source: string, streams?: string[]): Promise<SyncTarget>
  streamsOf(source: string): Promise<string[]>
  tickSeconds: number
  signal: AbortSignal
}): Promise<void> {
  const ops = await attachOperations({ warehouse: deps.warehouse, events: deps.events, log: deps.log, retry: deps.retry })
  const pending = new Map<string, SyncJob>()
  try {
    while (!deps.signal.aborted) {
      await fireDueSchedules({ warehouse: deps.warehouse, log: deps.log, streamsOf: deps.streamsOf, enqueue: async (job) => void pending.set(`${job.source}.${job.stream}`, job) })
      for (const [key, job] of pending) {
        if (deps.signal.aborted) break
        pending.delete(key)
        const target = await loadCheckedTarget(deps, job, 'schedule')
        if (!target) continue
        await runSync([target], {
          ...ops.engine,
          flags: job.mode === 'full' ? { full: true } : {},
          signal: deps.signal,
          trigger: 'schedule',
        })
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deps.tickSeconds * 1000)
        deps.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
      })
    }
  } finally {
    await ops.close()
  }
}
