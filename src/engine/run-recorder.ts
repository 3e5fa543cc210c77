import { hostname } from 'node:os'
import type { Logger } from '../log.ts'
import type { NewRun, Session, Warehouse } from '../warehouse/store.ts'
import type { EngineEvents } from './events.ts'
import { countsOf } from '../run-counts.ts'
import type { RunSummary } from './summary.ts'

/**
 * The run recorder: a run's history row (sync_runs) through its life — the sweep of dead runs
 * before it starts, its insert, its heartbeat (which also hears stop requests), its end — and the
 * busy summary of a run that could not start.
 */

/** Marks the stream's runs whose process is gone: they resume from their last committed page. */
export async function sweepAbandonedRuns(warehouse: Warehouse, session: Session, source: string, stream: string, log: Logger, events: EngineEvents): Promise<void> {
  for (const dead of await warehouse.store.markAbandonedRuns(session, source, stream)) {
    if (dead.status === 'cancelled') {
      log.info({ deadRunId: dead.id }, `run ${dead.id} was stopped on request and its process exited; marked cancelled, resuming from its last committed page`)
      continue
    }
    log.warn({ deadRunId: dead.id }, `run ${dead.id} had stopped without finishing; marked failed, resuming from its last committed page`)
    events.emit('run:abandoned', { runId: dead.id, source, stream })
  }
}

/** Inserts the run's history row, `running`, on this host and process (a dry run's too, marked). */
export function recordRunStart(warehouse: Warehouse, run: Omit<NewRun, 'host' | 'pid'>): Promise<number> {
  return warehouse.store.insertRun(warehouse, { ...run, host: hostname(), pid: process.pid })
}

/** Beats every `everyMs` while the run lives (a run that stops beating is dead); calls `onStop` when a stop was requested. */
export function startHeartbeat(warehouse: Warehouse, runId: number, everyMs: number, onStop: () => void): NodeJS.Timeout {
  const heartbeat = setInterval(
    () =>
      void warehouse.store
        .heartbeatRun(warehouse, runId)
        .then((stop) => stop && onStop())
        .catch(() => {}),
    everyMs,
  )
  heartbeat.unref()
  return heartbeat
}

/** Ends the run's history row with its summary, and the stream's last outcome; never throws. */
export async function recordRunEnd(warehouse: Warehouse, summary: RunSummary, log: Logger): Promise<void> {
  if (summary.runId === null) return
  const { store } = warehouse
  await store
    .finishRun(warehouse, summary.runId, {
      status: summary.status as string,
      durationMs: summary.durationMs,
      attempts: summary.attempts,
      errorCode: summary.errorCode ?? undefined,
      error: summary.error ?? undefined,
      dryRunCounts: summary.dryRun ? countsOf(summary) : undefined,
    })
    .catch((error) => log.error({ err: error }, 'could not record the end of the run; the next run will mark it abandoned'))
  // a dry run changed nothing: the stream's last outcome is still the last real run's
  if (!summary.dryRun) await store.recordRunOutcome(warehouse, summary.source, summary.stream, summary.runId, summary.status === 'succeeded').catch(() => {})
}

/** The summary of a run (`this run`, or `the reprocess`) that did not start because another holds the stream. */
export async function busy(summary: RunSummary, warehouse: Warehouse, log: Logger, events: EngineEvents, started: number, what = 'this run'): Promise<RunSummary> {
  const [running] = await warehouse.store.listRuns(warehouse, { source: summary.source, stream: summary.stream, status: 'running', limit: 1 }).catch(() => [])
  const who = running
    ? `${running.mode === 'reprocess' ? 'a reprocess, ' : ''}run ${running.id} (started ${running.started_at.toISOString()} on ${running.host ?? '?'}, pid ${running.pid ?? '?'})`
    : 'another run'
  summary.status = 'skipped'
  summary.errorCode = 'busy'
  summary.error = `${summary.source}.${summary.stream} is already being synced by ${who}; ${what} did not start. Wait for it to finish.`
  summary.durationMs = Math.round(performance.now() - started)
  log.warn(summary.error)
  events.emit('run:end', { summary })
  return summary
}
