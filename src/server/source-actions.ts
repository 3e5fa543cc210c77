import { callContext } from '../connectors/types.ts'
import { cannotRebuild } from '../engine/reprocess.ts'
import { retryRejects, retrySettingsOf } from '../engine/retry-rejects.ts'
import type { EngineEvents } from '../engine/events.ts'
import { streamsOfTarget, type SyncTarget } from '../engine/run-sync.ts'
import { SyncError } from '../errors.ts'
import type { Logger } from '../log.ts'
import type { Warehouse } from '../warehouse/types.ts'
import type { RejectsPort } from './ports.ts'

export interface SourceActionDeps {
  warehouse: Warehouse
  events: EngineEvents
  log: Logger
  loadTarget(source: string, streams?: string[]): Promise<SyncTarget>
}

/**
 * The dashboard's "retry rejects": `crmsync rejects retry <source> <stream>` in the server's
 * process. It reads nothing from the source (the records are rebuilt from what crmsync.rejects
 * holds) and is a run of mode `reprocess` holding the stream, so it waits for nothing: a stream
 * a sync holds answers busy.
 */
export function createRejectsPort(deps: SourceActionDeps): RejectsPort {
  return {
    async retry(source, streamName) {
      const target = await deps.loadTarget(source, [streamName])
      const streams = await streamsOfTarget(target, deps.log)
      const stream = streams.find((s) => s.name === streamName)
      if (!stream) throw new SyncError('config_invalid', `${source} has no stream ${JSON.stringify(streamName)}; its streams are ${streams.map((s) => s.name).join(', ')}`)
      const why = cannotRebuild(source, stream)
      if (why) throw new SyncError('config_invalid', why)
      const run = await retryRejects(source, stream, {
        warehouse: deps.warehouse,
        log: deps.log,
        events: deps.events,
        dryRun: false,
        ...retrySettingsOf(target.settings, stream),
        trigger: 'dashboard',
      })
      if (run.status === 'skipped') throw new SyncError('busy', run.error ?? `${source}.${streamName} is busy: another run holds it`)
      return { runId: run.runId, status: run.status, stored: run.inserted + run.updated + run.unchanged, stillRejected: run.rejected, error: run.error }
    },
  }
}

/** `crmsync check <source>` for the dashboard: the connector's one cheap request, with the server's credentials. */
export const createSourceCheck =
  (deps: Pick<SourceActionDeps, 'log' | 'loadTarget'>) =>
  async (source: string): Promise<string | void> => {
    const target = await deps.loadTarget(source)
    return target.connector.check(target.config, callContext(deps.log, AbortSignal.timeout(30_000)))
  }
