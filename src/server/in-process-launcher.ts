import type { EngineEvents } from '../engine/events.ts'
import { runSync, streamsOfTarget, type SyncOptions, type SyncTarget } from '../engine/run-sync.ts'
import { checkSourceIdentity } from '../engine/source-identity.ts'
import type { RetryPolicy } from '../engine/run-stream.ts'
import { coerceError, SyncError } from '../errors.ts'
import { redactSecrets, type Logger } from '../log.ts'
import { listRunningRuns } from '../warehouse/sql/dashboard.ts'
import type { Warehouse } from '../warehouse/types.ts'
import { LAUNCH_MODES } from '../engine/strategy.ts'
import { type LaunchAccepted, type LaunchRequest, type SourceCatalog, type SyncLauncher } from './ports.ts'

export interface InProcessLauncherDeps {
  warehouse: Warehouse
  events: EngineEvents
  log: Logger
  /** the source names the catalog lists */
  sources: readonly string[]
  /** a source's connector, config and settings: the CLI passes `(s, streams) => loadTarget(ctx, s, streams)` */
  loadTarget(source: string, streams?: string[]): Promise<SyncTarget>
  retry?: RetryPolicy
  /** the automation engine's gate (circuit breakers) */
  gate?: SyncOptions['gate']
  /** overrides every source's page size (tests) */
  batchSize?: number
  heartbeatMs?: number
}

interface Launch {
  controller: AbortController
  keys: Set<string>
  runIds: Set<number>
  done: Promise<void>
}

/**
 * Runs syncs inside the server's process, like `crmsync sync` does, and answers at once while the
 * sync carries on. A run it started is stopped by aborting that sync's signal: the engine commits
 * the page in hand and ends the run `cancelled` (and the later streams of the same request do not
 * start). Runs of other processes are not its to stop; the API files a stop request for those.
 */
export function createInProcessLauncher(deps: InProcessLauncherDeps): SyncLauncher {
  const launches = new Set<Launch>()
  const byRun = new Map<number, Launch>()
  let catalogCache: { at: number; value: Promise<SourceCatalog[]> } | undefined

  // a run's id is known only once its stream starts: learn it from the engine's events
  const offStart = deps.events.on('run:start', (e) => {
    if (e.runId === null) return
    for (const launch of launches)
      if (launch.keys.has(`${e.source}.${e.stream}`) && !launch.controller.signal.aborted) {
        launch.runIds.add(e.runId)
        byRun.set(e.runId, launch)
      }
  })
  // a stream is free again once its run ended (recorded, its lock let go), though the other
  // streams of its launch run on: a click on it then starts it, rather than answering busy
  const offEnd = deps.events.on('run:end', ({ summary }) => {
    if (summary.runId === null) return
    const launch = byRun.get(summary.runId)
    if (!launch) return
    launch.keys.delete(`${summary.source}.${summary.stream}`)
    byRun.delete(summary.runId)
  })

  const streamsOf = async (target: SyncTarget): Promise<string[]> => (await streamsOfTarget(target, deps.log)).map((s) => s.name)

  return {
    async start(request: LaunchRequest): Promise<LaunchAccepted> {
      if (!LAUNCH_MODES.includes(request.mode)) throw new SyncError('config_invalid', `mode must be one of ${LAUNCH_MODES.join(', ')}`)
      if (!deps.sources.includes(request.source)) throw new SyncError('config_invalid', `unknown source ${JSON.stringify(request.source)}; crmsync knows ${deps.sources.join(', ')}`)
      const target = await deps.loadTarget(request.source, request.streams?.length ? request.streams : undefined)
      const all = await streamsOf(target)
      const unknown = (request.streams ?? []).filter((s) => !all.includes(s))
      if (unknown.length) throw new SyncError('config_invalid', `${request.source} has no stream ${unknown.map((s) => JSON.stringify(s)).join(', ')}; its streams are ${all.join(', ')}`)
      const streams = request.streams?.length ? all.filter((s) => request.streams?.includes(s)) : all
      // as `crmsync sync` does: another source's data is not read past the first one's cursors (400)
      await checkSourceIdentity(deps.warehouse, target, { accept: false, dryRun: false })
      const keys = new Set(streams.map((s) => `${request.source}.${s}`))

      const running = (await listRunningRuns(deps.warehouse)).filter((r) => keys.has(`${r.source}.${r.stream}`))
      // no await from here to launches.add: two requests at once cannot both pass this check
      const mine = [...launches].flatMap((l) => [...l.keys].filter((k) => keys.has(k)))
      if (mine.length || running.length) {
        const what = running.length ? running.map((r) => `${r.source}.${r.stream} (run ${r.id}, ${r.host ?? '?'} pid ${r.pid ?? '?'})`) : mine
        throw new SyncError('busy', `already running: ${what.join(', ')}; wait for it to finish or stop it first`)
      }

      const controller = new AbortController()
      const launch: Launch = { controller, keys, runIds: new Set(), done: Promise.resolve() }
      launches.add(launch)
      launch.done = runSync([target], {
        warehouse: deps.warehouse,
        log: deps.log,
        events: deps.events,
        flags: request.mode === 'full' ? { full: true } : {},
        signal: controller.signal,
        retry: deps.retry,
        gate: deps.gate,
        batchSize: deps.batchSize,
        heartbeatMs: deps.heartbeatMs,
        trigger: 'dashboard',
      })
        .then(({ runs }) => {
          for (const run of runs) deps.log.info({ runId: run.runId, source: run.source, stream: run.stream, status: run.status }, `dashboard sync of ${run.source}.${run.stream}: ${run.status}`)
        })
        .catch((error) => deps.log.error({ err: error }, `dashboard sync of ${request.source} failed: ${redactSecrets(coerceError(error).message)}`))
        .finally(() => {
          launches.delete(launch)
          for (const id of launch.runIds) byRun.delete(id)
        })
      return { accepted: true, via: 'in-process', source: request.source, streams, mode: request.mode }
    },

    async stop(runId: number): Promise<boolean> {
      const launch = byRun.get(runId)
      if (!launch) return false
      launch.controller.abort()
      return true
    },

    catalog(): Promise<SourceCatalog[]> {
      // loading a connector's config is cheap, but listing streams may ask the source: cache briefly
      if (catalogCache && Date.now() - catalogCache.at < 30_000) return catalogCache.value
      const value = Promise.all(
        deps.sources.map(async (source): Promise<SourceCatalog> => {
          try {
            return { source, configured: true, streams: await streamsOf(await deps.loadTarget(source)) }
          } catch (error) {
            return { source, configured: false, problem: redactSecrets(coerceError(error).message), streams: [] }
          }
        }),
      )
      catalogCache = { at: Date.now(), value }
      return value
    },

    async close() {
      offStart()
      offEnd()
      for (const launch of launches) launch.controller.abort()
      await Promise.all([...launches].map((l) => l.done))
    },
  }
}
