import type { EngineEvents } from '../engine/events.ts'
import { recordFailedStart } from '../engine/failed-start.ts'
import type { SyncTarget } from '../engine/run-sync.ts'
import { checkSourceIdentity } from '../engine/source-identity.ts'
import { coerceError } from '../errors.ts'
import type { Logger } from '../log.ts'
import type { Warehouse } from '../warehouse/store.ts'
import type { SyncJob } from './queue.ts'

export interface CheckedTargetDeps {
  warehouse: Warehouse
  events: EngineEvents
  log: Logger
  loadTarget(source: string, streams?: string[]): Promise<SyncTarget>
}

/**
 * A scheduled job's target, its configuration loaded and its source's identity checked against
 * the one the warehouse holds (as `crmsync sync` checks it: a worker must not read another
 * source's data past the first one's cursors either). What fails is a failed start of the job's
 * stream (docs/design.md §3.8), in the history and the alerts, and undefined comes back: a job
 * that cannot start is not retried until its configuration changes.
 */
export async function loadCheckedTarget(deps: CheckedTargetDeps, job: SyncJob, trigger: string, workerId?: string): Promise<SyncTarget | undefined> {
  try {
    const target = await deps.loadTarget(job.source, [job.stream])
    await checkSourceIdentity(deps.warehouse, target, { accept: false, dryRun: false })
    return target
  } catch (error) {
    const failure = coerceError(error)
    deps.log.error({ source: job.source, stream: job.stream, code: failure.code }, `cannot sync ${job.source}.${job.stream}: ${failure.message}`)
    await recordFailedStart({ ...deps, source: job.source, streams: [job.stream], failure, trigger, dryRun: false, workerId })
    return undefined
  }
}
