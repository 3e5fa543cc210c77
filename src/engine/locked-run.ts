import type { Stream } from '../connectors/types.ts'
import { coerceError, SyncError } from '../errors.ts'
import { redactSecrets, type Logger } from '../log.ts'
import { countsOf } from '../run-counts.ts'
import type { CommitTarget, Session, Store, StreamTable, Warehouse } from '../warehouse/store.ts'
import type { EngineEvents } from './events.ts'
import { busy, recordRunStart, startHeartbeat, sweepAbandonedRuns } from './run-recorder.ts'
import { startRunLog } from './run-log.ts'
import { claimHere, releaseHere } from './run-stream.ts'
import { prepareHistory } from './stream-state.ts'
import { emptySummary, type RunSummary } from './summary.ts'
import { createTableShape, declaredColumns, DEFAULT_CONTRACT, keepStoredShape, type StreamContract, type TableShape } from './table-shape.ts'

/**
 * A run over what the warehouse already holds (`crmsync reprocess`, `crmsync rejects retry`):
 * like a sync it holds the stream's lock (docs/design.md §3.7), so neither interleaves with a sync
 * of the stream, and it is a run in crmsync.sync_runs, mode `reprocess`, with the usual counts.
 */
export interface LockedRunOptions {
  warehouse: Warehouse
  log: Logger
  events: EngineEvents
  dryRun: boolean
  trigger: string
  /** what the run is, for its messages: `the reprocess`, `the retry of rejects` */
  what: string
  /** a graceful stop: the batch being committed finishes, then the run ends `cancelled` */
  signal?: AbortSignal
  heartbeatMs?: number
}

/** What the body of a locked run works with; it keeps its counts in `summary`. */
export interface LockedRun {
  source: string
  stream: Stream
  session: Session
  summary: RunSummary
  log: Logger
  /** aborted by a graceful stop: the body commits the batch in hand, then throws `cancelled` */
  stopping: AbortSignal
}

export const RUN_MODE_REPROCESS = 'reprocess'

/**
 * Runs `body` holding the stream (or returns the `busy` summary of a run that could not take it),
 * inside a `reprocess` run of sync_runs whose end it records. Never throws: what happened is in
 * the summary, the run's row and the log. The run's end does not count as the stream's last sync
 * (`last_success_at`): no data came from the source.
 */
export async function runLocked(source: string, stream: Stream, options: LockedRunOptions, body: (run: LockedRun) => Promise<void>): Promise<RunSummary> {
  const started = performance.now()
  const { warehouse, events, dryRun, what } = options
  const summary = emptySummary(source, stream.name, RUN_MODE_REPROCESS, dryRun)
  const claim = claimHere(warehouse, source, stream.name)
  if (claim === undefined) return busy(summary, warehouse, options.log.child({ source, stream: stream.name }), events, started, what)
  const runLog = startRunLog(warehouse, options.log.child({ source, stream: stream.name }))
  const log = runLog.log
  const stopping = new AbortController()
  const onStop = () => stopping.abort()
  options.signal?.addEventListener('abort', onStop, { once: true })
  let session: Session | undefined
  let locked = false
  let heartbeat: NodeJS.Timeout | undefined
  try {
    session = await warehouse.session()
    locked = await warehouse.store.tryStreamLock(session, source, stream.name)
    if (!locked) return await busy(summary, warehouse, log, events, started, what)
    if (!dryRun) await sweepAbandonedRuns(warehouse, session, source, stream.name, log, events)
    summary.runId = await recordRunStart(warehouse, { source, stream: stream.name, mode: RUN_MODE_REPROCESS, trigger: options.trigger, cursorFrom: undefined, dryRun })
    runLog.attach(summary.runId)
    events.emit('run:start', { runId: summary.runId, source, stream: stream.name, mode: RUN_MODE_REPROCESS, trigger: options.trigger, reason: what, dryRun })
    if (summary.runId !== null) heartbeat = startHeartbeat(warehouse, summary.runId, options.heartbeatMs ?? 10_000, onStop)
    await body({ source, stream, session, summary, log: log.child({ runId: summary.runId }), stopping: stopping.signal })
    settle(summary)
  } catch (error) {
    fail(summary, error, stopping.signal.aborted, log, what)
  } finally {
    clearInterval(heartbeat)
    options.signal?.removeEventListener('abort', onStop)
    summary.durationMs = Math.round(performance.now() - started)
    if (summary.status !== 'skipped') log.info(countsOf(summary), `${what} ${summary.status} in ${(summary.durationMs / 1000).toFixed(1)} s: ${summary.fetched} read, ${summary.updated} updated, ${summary.inserted} inserted, ${summary.unchanged} unchanged, ${summary.rejected} rejected, ${summary.coerced} coerced`)
    await runLog.close()
    await recordEnd(warehouse, summary, log)
    if (session) {
      if (locked) await warehouse.store.unlockStream(session, source, stream.name).catch(() => {})
      await session.release()
    }
    releaseHere(claim)
  }
  events.emit('run:end', { summary })
  return summary
}

/** What a run over stored rows writes into: the stream's table (it must exist), its stored shape, and the commit target. */
export interface StoredTable {
  store: Store
  table: StreamTable
  shape: TableShape
  target: CommitTarget
}

/**
 * Opens the stream's table for a run over what the warehouse holds: the table as the contract
 * declares it, its shape as stored (such a run never adds or widens a column), and history mode
 * brought up to date as a sync's start does. `noTable` says what to do when there is none yet.
 */
export async function openStoredTable(
  run: LockedRun,
  options: { warehouse: Warehouse; contract?: StreamContract; dryRun: boolean },
  write: Pick<CommitTarget, 'writeRule' | 'reprocessCheckpoint'>,
  noTable: string,
): Promise<StoredTable> {
  const { source, stream, session } = run
  const store = options.warehouse.store
  if (!(await store.tableExists(session, source, stream.name))) throw new SyncError('config_invalid', noTable)
  const contract = options.contract ?? DEFAULT_CONTRACT
  const table: StreamTable = { schema: source, table: stream.name, columns: declaredColumns(stream, contract), primaryKey: stream.primaryKey }
  const shape = keepStoredShape(createTableShape(source, stream, await store.listStoredColumns(session, source, stream.name), contract, false))
  const history = await prepareHistory(store, session, stream, table, { on: contract.history === true, dryRun: options.dryRun }, run.log)
  const target: CommitTarget = { source, stream, table, runId: run.summary.runId, history, pass: null, saveCursor: false, dryRun: options.dryRun, ...write }
  return { store, table, shape, target }
}

/** Throws `cancelled` when a stop was asked for: called after each committed batch. */
export function stopIfAsked(run: LockedRun, pageNo: number): void {
  if (run.stopping.aborted) throw new SyncError('cancelled', `stopped on request after committing batch ${pageNo}`)
}

function settle(summary: RunSummary): void {
  summary.status = summary.rejected > 0 ? 'partial' : 'succeeded'
  if (summary.rejected === 0) return
  summary.errorCode = 'rejected_records'
  summary.error = `${summary.rejected} records were rejected; see crmsync.rejects (crmsync rejects list ${summary.source} ${summary.stream})`
}

function fail(summary: RunSummary, error: unknown, stopped: boolean, log: Logger, what: string): void {
  const failure = coerceError(error)
  const cancelled = failure.code === 'cancelled' || stopped
  summary.status = cancelled ? 'cancelled' : 'failed'
  summary.error = redactSecrets(cancelled && failure.code !== 'cancelled' ? `stopped on request after ${summary.fetched} rows` : failure.message)
  summary.errorCode = cancelled ? 'cancelled' : failure.code
  log.error({ runId: summary.runId, code: failure.code, err: failure.code === 'internal' ? failure.cause : undefined }, `${what} ${summary.status}: ${summary.error}`)
}

/** The run's end in sync_runs; never throws. Not the stream's last outcome: nothing was read from the source. */
async function recordEnd(warehouse: Warehouse, summary: RunSummary, log: Logger): Promise<void> {
  if (summary.runId === null) return
  const end = { status: summary.status as string, durationMs: summary.durationMs, attempts: 1, errorCode: summary.errorCode ?? undefined, error: summary.error ?? undefined, dryRunCounts: summary.dryRun ? countsOf(summary) : undefined }
  await warehouse.store.finishRun(warehouse, summary.runId, end).catch((error) => log.error({ err: error }, 'could not record the end of the run; the next run will mark it abandoned'))
}
