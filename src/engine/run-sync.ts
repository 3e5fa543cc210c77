import { callContext, type Connector, type RunContext, type Stream } from '../connectors/types.ts'
import { coerceError, SyncError } from '../errors.ts'
import { redactSecrets, type Logger } from '../log.ts'
import type { Warehouse } from '../warehouse/store.ts'
import { createSemaphore, mapLimited, planConcurrency, warehouseRunLimit, type ConcurrencyRequest } from './concurrency.ts'
import type { EngineEvents } from './events.ts'
import { recordFailedStart } from './failed-start.ts'
import { runStream, type RetryPolicy, type StreamRunOptions } from './run-stream.ts'
import type { StrategyFlags } from './strategy.ts'
import { emptySummary, type RunSummary } from './summary.ts'
import type { StreamContract } from './table-shape.ts'

export interface SourceSettings {
  lookbackSeconds: number
  horizonSeconds: number
  batchSize: number
  /** the IANA zone of the source's timestamps without one; UTC when absent */
  timeZone?: string
  /** schema contracts by stream name; a stream without one evolves */
  streams?: Readonly<Record<string, StreamContract>>
}

/** One source to sync: its connector, its parsed config and settings, and which streams (all when empty). */
export interface SyncTarget<C = unknown> {
  connector: Connector<C>
  config: C
  settings: SourceSettings
  streams?: readonly string[]
}

/** The target's streams, listed outside a run (no records read; HubSpot asks for its property definitions). */
export const streamsOfTarget = (target: SyncTarget, log: Logger, signal?: AbortSignal): Promise<readonly Stream[]> =>
  target.connector.streams(target.config, callContext(log.child({ source: target.connector.name }), signal))

export interface SyncOptions {
  warehouse: Warehouse
  log: Logger
  events: EngineEvents
  flags?: StrategyFlags
  dryRun?: boolean
  /**
   * overrides every source's `batchSize` (`--batch-size`): like the config key, it sets both the
   * page size asked of the source and the records per commit
   */
  batchSize?: number
  maxRecords?: number
  trigger?: string
  signal?: AbortSignal
  retry?: RetryPolicy
  /**
   * how many streams run at once (docs/design.md §3.16): a number is the most for each source and
   * in all (1, the default, runs them one after another); `per-source` lets each source run its
   * manifest's `streamConcurrency`, sources side by side. The warehouse's pool bounds both.
   */
  concurrency?: ConcurrencyRequest
  heartbeatMs?: number
  maxDeleteFraction?: number
  workerId?: string
  /**
   * asked before each stream runs: a reason to refuse it (a circuit breaker that is open), or
   * undefined. The engine knows nothing of breakers; whoever composes it decides.
   */
  gate?: (source: string, stream: string) => Promise<string | undefined>
}

export interface SyncResult {
  runs: RunSummary[]
}

/**
 * Runs the streams of each target and returns one summary per stream, in the targets' order and
 * each target's streams' declared order, whichever ended first. Streams run side by side as
 * `concurrency` allows (planConcurrency), each with its own lock and run: one that fails leaves
 * the others running. It never throws (docs/design.md §3.9): a source that cannot even list its
 * streams gets a failed summary saying why.
 */
export async function runSync(targets: readonly SyncTarget[], options: SyncOptions): Promise<SyncResult> {
  const plan = planConcurrency(
    targets.map((t) => t.connector.manifest.streamConcurrency ?? 1),
    options.concurrency ?? 1,
    warehouseRunLimit(options.warehouse),
  )
  if (plan.total > 1) options.log.info({ perSource: Object.fromEntries(targets.map((t, i) => [t.connector.name, plan.perTarget[i]])), total: plan.total }, `running up to ${plan.total} streams at once`)
  const slots = createSemaphore(plan.total)
  // sources side by side only when runs may be: at one at a time, each source's streams come together
  const byTarget = await mapLimited(targets, plan.total > 1 ? targets.length : 1, async (target, index) => {
    const runs: RunSummary[] = []
    const streams = await streamsToRun(target, options, runs)
    if (!streams) return runs
    options.events.emit('streams:listed', { source: target.connector.name, streams: streams.map((s) => s.name) })
    const summaries = await mapLimited(streams, plan.perTarget[index], async (stream) => {
      await slots.acquire()
      try {
        return await runOne(target, stream, options)
      } finally {
        slots.release()
      }
    })
    return [...runs, ...summaries.flat()]
  })
  return { runs: byTarget.flat() }
}

/** One stream of a target: cancelled when the stop came before it began, refused by the gate, or run. */
async function runOne(target: SyncTarget, stream: Stream, options: SyncOptions): Promise<RunSummary[]> {
  const { connector } = target
  if (options.signal?.aborted) {
    // stopped before this stream began: nothing of it ran, and the command must not look like a success
    const summary = emptySummary(connector.name, stream.name, 'none', options.dryRun ?? false)
    Object.assign(summary, { status: 'cancelled', errorCode: 'cancelled', error: 'stopped on request before this stream started' })
    return [summary]
  }
  try {
    const refusal = await options.gate?.(connector.name, stream.name)
    if (refusal) {
      // refused before it started (the source's breaker is open): a failed run like any other, in history and alerts
      options.log.warn({ source: connector.name, stream: stream.name }, refusal)
      const failure = new SyncError('circuit_open', refusal)
      return await recordFailedStart({ ...startFailure(target, options), streams: [stream.name], failure })
    }
  } catch (error) {
    // a gate that cannot answer (its warehouse query failed) fails this stream, not the streams beside it
    const failure = coerceError(error)
    const summary = emptySummary(connector.name, stream.name, 'none', options.dryRun ?? false)
    Object.assign(summary, { status: 'failed', errorCode: failure.code, error: redactSecrets(failure.message) })
    return [summary]
  }
  return [await runStream(connector.name, stream, streamRunOptions(target, stream, options))]
}

const startFailure = (target: SyncTarget, options: SyncOptions) => ({
  warehouse: options.warehouse,
  events: options.events,
  log: options.log,
  source: target.connector.name,
  trigger: options.trigger ?? 'cli',
  dryRun: options.dryRun ?? false,
  workerId: options.workerId,
})

/**
 * The target's streams to run; undefined when none may run, with why in `runs`: a stream or a
 * contract named in the config that the source does not have, or a source that cannot list its streams.
 */
async function streamsToRun(target: SyncTarget, options: SyncOptions, runs: RunSummary[]): Promise<readonly Stream[] | undefined> {
  const { connector } = target
  try {
    const ctx: RunContext = {
      signal: options.signal ?? new AbortController().signal,
      log: options.log.child({ source: connector.name }),
      now: () => new Date(),
      report: (event) => options.events.emit('connector', { source: connector.name, stream: '*', ...event }),
    }
    const all = await connector.streams(target.config, ctx)
    const streams = target.streams?.length ? all.filter((s) => target.streams?.includes(s.name)) : all
    for (const name of target.streams ?? []) {
      if (all.some((s) => s.name === name)) continue
      const summary = emptySummary(connector.name, name, 'none', options.dryRun ?? false)
      summary.errorCode = 'config_invalid'
      summary.error = `${connector.name} has no stream ${JSON.stringify(name)}; its streams are ${all.map((s) => s.name).join(', ')}`
      runs.push(summary)
    }
    // a contract for a stream that does not exist would be a promise nothing keeps
    for (const name of Object.keys(target.settings.streams ?? {})) {
      if (all.some((s) => s.name === name)) continue
      const summary = emptySummary(connector.name, name, 'none', options.dryRun ?? false)
      summary.errorCode = 'config_invalid'
      summary.error = `sources.${connector.name}.streams names ${JSON.stringify(name)}, which ${connector.name} does not have; its streams are ${all.map((s) => s.name).join(', ')}`
      runs.push(summary)
    }
    if (runs.some((r) => r.source === connector.name && r.errorCode === 'config_invalid')) return undefined
    return streams
  } catch (error) {
    const failure = coerceError(error)
    options.log.error({ source: connector.name, code: failure.code }, `${connector.name}: ${redactSecrets(failure.message)}`)
    runs.push(...(await recordFailedStart({ ...startFailure(target, options), streams: target.streams ?? [], failure })))
    return undefined
  }
}

function streamRunOptions(target: SyncTarget, stream: Stream, options: SyncOptions): StreamRunOptions {
  return {
    warehouse: options.warehouse,
    log: options.log,
    events: options.events,
    flags: options.flags ?? {},
    dryRun: options.dryRun ?? false,
    // one setting, two uses: the source's page size and the engine's commit size (docs/design.md)
    pageSize: options.batchSize ?? target.settings.batchSize,
    commitRows: options.batchSize ?? target.settings.batchSize,
    maxRecords: options.maxRecords,
    trigger: options.trigger ?? 'cli',
    lookbackSeconds: target.settings.lookbackSeconds,
    horizonSeconds: target.settings.horizonSeconds,
    signal: options.signal,
    retry: options.retry,
    heartbeatMs: options.heartbeatMs,
    maxDeleteFraction: options.maxDeleteFraction,
    workerId: options.workerId,
    contract: target.settings.streams?.[stream.name],
    timeZone: target.settings.timeZone,
  }
}
