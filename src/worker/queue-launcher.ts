import { SyncError } from '../errors.ts'
import type { Logger } from '../log.ts'
import type { LaunchAccepted, LaunchRequest, SyncLauncher } from '../server/ports.ts'
import { listWorkers } from '../warehouse/sql/workers.ts'
import type { Warehouse } from '../warehouse/types.ts'
import { openQueue, type JobQueue } from './queue.ts'

/**
 * The dashboard's "Sync now" when workers are running: the request becomes queue jobs (one per
 * stream) that the workers take, with their limits and their one-run-per-stream rule. With no
 * live worker it falls back to running the sync in this process. Validation (unknown source or
 * stream, a stream already running) is the in-process launcher's, so both paths refuse alike.
 */
export function createQueueAwareLauncher(deps: { inProcess: SyncLauncher; warehouse: Warehouse; databaseUrl: string; log: Logger }): SyncLauncher {
  let queue: Promise<JobQueue> | undefined
  return {
    async start(request: LaunchRequest): Promise<LaunchAccepted> {
      if ((await listWorkers(deps.warehouse, 30)).length === 0) return deps.inProcess.start(request)
      const catalogs = (await deps.inProcess.catalog?.()) ?? []
      const catalog = catalogs.find((c) => c.source === request.source)
      if (!catalog) throw new SyncError('config_invalid', `unknown source ${JSON.stringify(request.source)}; crmsync knows ${catalogs.map((c) => c.source).join(', ')}`)
      if (!catalog.configured) throw new SyncError('config_invalid', catalog.problem ?? `${request.source} is not configured`)
      const unknown = (request.streams ?? []).filter((s) => !catalog.streams.includes(s))
      if (unknown.length) throw new SyncError('config_invalid', `${request.source} has no stream ${unknown.map((s) => JSON.stringify(s)).join(', ')}; its streams are ${catalog.streams.join(', ')}`)
      // a stream that is running already gets one follow-up job (the queue keeps at most one waiting per stream)
      const streams = request.streams?.length ? request.streams : catalog.streams
      queue ??= openQueue(deps.databaseUrl, deps.log)
      const q = await queue
      for (const stream of streams) await q.send({ source: request.source, stream, mode: request.mode, trigger: 'dashboard' })
      deps.log.info({ source: request.source, streams }, `dashboard queued ${streams.length} stream(s) of ${request.source} for the workers`)
      return { accepted: true, via: 'queue', source: request.source, streams, mode: request.mode }
    },
    stop: (runId) => deps.inProcess.stop(runId),
    catalog: () => deps.inProcess.catalog?.() ?? Promise.resolve([]),
    async close() {
      await deps.inProcess.close?.()
      if (queue) await (await queue).close()
    },
  }
}
