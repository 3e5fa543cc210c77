import { CONNECTORS, SOURCE_NAMES } from '../connectors/registry.ts'
import { SyncError } from '../errors.ts'
import { upsertSchedule, type DbSchedule } from '../warehouse/sql/schedules.ts'
import type { Queryable } from '../warehouse/types.ts'
import { nextRun, parseEvery, validateCron } from './timing.ts'

/** A schedule as a person asks for it: `crmsync schedule add` and the dashboard's API. */
export interface ScheduleRequest {
  source: string
  stream?: string
  /** `30s`, `15m`, `2h`, `1d`; exactly one of every and cron */
  every?: string
  cron?: string
  mode?: string
}

/**
 * Checks a schedule and stores it (replacing the timing of the one for the same source, stream and
 * mode). A stream the source does not have is refused when `streamNames` lists the ones it has:
 * checked here, not at the first tick, where a worker would fail the schedule forever.
 */
export async function addSchedule(db: Queryable, request: ScheduleRequest, streamNames?: readonly string[]): Promise<DbSchedule> {
  const { source, stream } = request
  if (!Object.hasOwn(CONNECTORS, source)) throw new SyncError('config_invalid', `unknown source ${JSON.stringify(source)}; sources: ${SOURCE_NAMES.join(', ')}`)
  if (!request.every === !request.cron) throw new SyncError('config_invalid', 'give exactly one of --every (e.g. 15m) or --cron (every or cron in the API)')
  const mode = request.mode ?? 'incremental'
  if (mode !== 'incremental' && mode !== 'full') throw new SyncError('config_invalid', `--mode is incremental or full, not ${JSON.stringify(mode)}`)
  const everySeconds = request.every ? parseEvery(request.every) : null
  if (request.cron) validateCron(request.cron)
  if (stream !== undefined && streamNames && !streamNames.includes(stream))
    throw new SyncError('config_invalid', `${source} has no stream ${JSON.stringify(stream)}; its streams are ${streamNames.join(', ')}`)
  const timing = { every_seconds: everySeconds, cron: request.cron ?? null }
  // an interval schedule fires at once, then on its grid; a cron one at its next occurrence
  const nextRunAt = everySeconds ? new Date() : nextRun(timing, new Date())
  return upsertSchedule(db, { source, stream: stream ?? null, everySeconds, cron: request.cron ?? null, mode, nextRunAt })
}
