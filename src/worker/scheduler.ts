import type { Logger } from '../log.ts'
import { insertAutomationEvent } from '../warehouse/sql/automation.ts'
import { claimDueSchedules, markScheduleFired, recentFailures, type DbSchedule } from '../warehouse/sql/schedules.ts'
import type { Warehouse } from '../warehouse/types.ts'
import type { SyncJob } from './queue.ts'
import { nextRun } from './timing.ts'

export interface SchedulerDeps {
  warehouse: Warehouse
  log: Logger
  /** the streams of a source, for a schedule that names none */
  streamsOf(source: string): Promise<string[]>
  enqueue(job: SyncJob): Promise<unknown>
  now?: () => Date
}

// a stream that keeps failing is retried on later ticks, further apart each time, at most hourly
const MAX_BACKOFF_MS = 3_600_000

/**
 * One scheduler tick: every due schedule is claimed (FOR UPDATE SKIP LOCKED, so any number of
 * workers can tick at once and each schedule fires once), its streams are queued, and its next
 * run is set. A stream whose last runs failed is held back with exponential backoff (the
 * self-healing retry), and the hold is written to crmsync.automation_events.
 */
export async function fireDueSchedules(deps: SchedulerDeps): Promise<SyncJob[]> {
  const now = deps.now ?? (() => new Date())
  const session = await deps.warehouse.session()
  const queued: SyncJob[] = []
  try {
    await session.transaction(async (tx) => {
      for (const schedule of await claimDueSchedules(tx)) {
        for (const stream of await targetStreams(deps, schedule)) {
          const { failures, lastFailedAt } = await recentFailures(tx, schedule.source, stream)
          const interval = (schedule.every_seconds ?? 60) * 1000
          const backoff = failures > 0 ? Math.min(interval * 2 ** (failures - 1), MAX_BACKOFF_MS) : 0
          const holdUntil = lastFailedAt ? lastFailedAt.getTime() + backoff : 0
          if (failures > 1 && holdUntil > now().getTime()) {
            await insertAutomationEvent(tx, {
              source: schedule.source,
              stream,
              action: 'backoff',
              reason: `${failures} failed runs in a row`,
              outcome: `not queued before ${new Date(holdUntil).toISOString()} (backoff ${Math.round(backoff / 1000)} s)`,
            })
            continue
          }
          const job: SyncJob = { source: schedule.source, stream, mode: schedule.mode, trigger: 'schedule', scheduleId: schedule.id }
          await deps.enqueue(job)
          if (failures > 0)
            await insertAutomationEvent(tx, { source: schedule.source, stream, action: 'retry_failed_stream', reason: `the last run failed (${failures} in a row)`, outcome: 'queued again by its schedule' })
          queued.push(job)
        }
        await markScheduleFired(tx, schedule.id, nextRun(schedule, now()))
      }
    })
  } finally {
    await session.release()
  }
  if (queued.length) deps.log.info({ jobs: queued.length }, `scheduler queued ${queued.map((j) => `${j.source}.${j.stream}`).join(', ')}`)
  return queued
}

async function targetStreams(deps: SchedulerDeps, schedule: DbSchedule): Promise<string[]> {
  if (schedule.stream) return [schedule.stream]
  try {
    return await deps.streamsOf(schedule.source)
  } catch (error) {
    deps.log.error({ source: schedule.source, err: error }, `schedule ${schedule.id}: cannot list the streams of ${schedule.source}: ${(error as Error).message}`)
    return []
  }
}
