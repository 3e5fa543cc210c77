import { hostname } from 'node:os'
import type { SyncError } from '../errors.ts'
import { redactSecrets, type Logger } from '../log.ts'
import type { Warehouse } from '../warehouse/store.ts'
import type { EngineEvents } from './events.ts'
import { emptySummary, type RunSummary } from './summary.ts'

export interface FailedStart {
  warehouse: Warehouse
  events: EngineEvents
  log: Logger
  source: string
  /** the streams asked for; none = every stream the warehouse knows of the source, or `*` */
  streams: readonly string[]
  failure: SyncError
  trigger: string
  dryRun: boolean
  workerId?: string
}

/**
 * A failure before any stream could start (credentials refused, the source unreachable, its
 * configuration wrong) is a run too (docs/design.md §3.8): one failed run per stream asked for, so
 * history, the dashboard, /metrics and the consecutive-failure alert see the commonest failure
 * in production. When no stream was named, the streams the warehouse already holds for the source
 * stand in; a source never synced gets one source-level run with stream `*`. A dry run records
 * nothing, and a warehouse that cannot record leaves the summaries unrecorded, never thrown.
 */
export async function recordFailedStart(f: FailedStart): Promise<RunSummary[]> {
  const message = redactSecrets(f.failure.message)
  const { store } = f.warehouse
  const known = f.streams.length ? f.streams : (await store.listStreamStates(f.warehouse).catch(() => [])).filter((s) => s.source === f.source).map((s) => s.stream)
  const names = known.length ? known : ['*']
  const summaries: RunSummary[] = []
  for (const stream of names) {
    const summary = emptySummary(f.source, stream, 'none', f.dryRun)
    Object.assign(summary, { status: 'failed', error: message, errorCode: f.failure.code })
    if (!f.dryRun) {
      try {
        summary.runId = await store.insertRun(f.warehouse, { source: f.source, stream, mode: 'none', trigger: f.trigger, cursorFrom: null, host: hostname(), pid: process.pid, workerId: f.workerId })
        await store.finishRun(f.warehouse, summary.runId, { status: 'failed', durationMs: 0, attempts: 1, errorCode: f.failure.code, error: message })
        await store.recordRunOutcome(f.warehouse, f.source, stream, summary.runId, false)
      } catch (error) {
        f.log.warn({ err: error }, `could not record the failed start of ${f.source}.${stream}`)
      }
    }
    f.events.emit('run:end', { summary })
    summaries.push(summary)
  }
  return summaries
}
