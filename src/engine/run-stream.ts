import type { RunContext, Stream } from '../connectors/types.ts'
import { coerceError, SyncError } from '../errors.ts'
import { redactSecrets, type Logger } from '../log.ts'
import type { FullPass, Session, StreamTable, Warehouse, WriteRule } from '../warehouse/store.ts'
import type { EngineEvents } from './events.ts'
import { startFullPass } from './full-pass.ts'
import { countsOf } from '../run-counts.ts'
import { noteReadSize, readAll, zeroCounts, type ReadRun, type ReadsEnd } from './read-loop.ts'
import { busy, recordRunEnd, recordRunStart, startHeartbeat, sweepAbandonedRuns } from './run-recorder.ts'
import { startRunLog, type RunLog } from './run-log.ts'
import { resolveStrategy, type StrategyFlags } from './strategy.ts'
import { openStreamState } from './stream-state.ts'
import { emptySummary, type RunSummary } from './summary.ts'
import { declaredColumns, DEFAULT_CONTRACT, type StreamContract } from './table-shape.ts'

/** Decides whether a failed read is tried again (from the last committed page) and after how long. */
export type RetryPolicy = (error: SyncError, attempt: number) => number | undefined

export interface StreamRunOptions {
  warehouse: Warehouse
  log: Logger
  events: EngineEvents
  flags: StrategyFlags
  dryRun: boolean
  /** records per page asked of the source (`ReadRequest.pageSize`) */
  pageSize: number
  /** records per commit: pages are committed in batches of at least this many */
  commitRows: number
  maxRecords?: number
  trigger: string
  lookbackSeconds: number
  horizonSeconds: number
  /** a graceful stop: the page being committed finishes, then the run ends `cancelled` */
  signal?: AbortSignal
  retry?: RetryPolicy
  heartbeatMs?: number
  maxDeleteFraction?: number
  /** the worker running it, recorded on the run */
  workerId?: string
  /** the stream's schema contract (docs/design.md §3.12); evolve, nothing pinned, by default */
  contract?: StreamContract
  /** the IANA zone of the source's timestamps without one; UTC by default */
  timeZone?: string
}

// PGlite has one connection, so its advisory locks cannot tell two runs of one process apart
const runningHere = new Set<string>()

/**
 * Claims a stream for a run of this process (a sync or a reprocess), beside the advisory lock that
 * claims it cluster-wide: the claim's key, or undefined when this process already runs it. Release with `releaseHere`.
 */
export function claimHere(warehouse: Warehouse, source: string, stream: string): string | undefined {
  const key = `${warehouse.location}|${source}.${stream}`
  if (runningHere.has(key)) return undefined
  runningHere.add(key)
  return key
}

export const releaseHere = (key: string) => void runningHere.delete(key)

/** What runStream holds while a run lives, for its parts to share. */
interface Running {
  source: string
  stream: Stream
  options: StreamRunOptions
  warehouse: Warehouse
  summary: RunSummary
  /** the stream's logger (the reads log with the run's id too) */
  log: Logger
  /** keeps the run's log lines in the warehouse */
  runLog: RunLog
  connectorAbort: AbortController
  /** a graceful stop (a signal, or a stop request seen at a heartbeat): the page in hand commits, then the run ends */
  stopping: AbortController
  attempts: { count: number }
  heartbeat?: NodeJS.Timeout
}

/**
 * Runs one stream once, keeping every engine rule of docs/design.md §3, and returns its summary. It
 * never throws: whatever happens is in the summary, the run's history row and the log.
 */
export async function runStream(source: string, stream: Stream, options: StreamRunOptions): Promise<RunSummary> {
  const started = performance.now()
  const { warehouse, events, dryRun } = options
  const summary = emptySummary(source, stream.name, 'incremental', dryRun)
  const lockKey = claimHere(warehouse, source, stream.name)
  if (lockKey === undefined) return busy(summary, warehouse, options.log.child({ source, stream: stream.name }), events, started)

  const runLog = startRunLog(warehouse, options.log.child({ source, stream: stream.name }))
  const log = runLog.log
  const run: Running = { source, stream, options, warehouse, summary, log, runLog, connectorAbort: new AbortController(), stopping: new AbortController(), attempts: { count: 1 } }
  const onStop = () => run.stopping.abort()
  options.signal?.addEventListener('abort', onStop, { once: true })
  run.stopping.signal.addEventListener(
    'abort',
    () => {
      run.connectorAbort.abort(new SyncError('cancelled', 'stopped on request'))
      // recorded, so that if this process is ended before it can finish the run (a second Ctrl-C),
      // whoever finds the run dead marks it cancelled, not failed
      if (summary.runId !== null) void warehouse.store.requestStop(warehouse, summary.runId).catch(() => {})
    },
    { once: true },
  )
  let session: Session | undefined
  let locked = false
  try {
    session = await warehouse.session()
    locked = await warehouse.store.tryStreamLock(session, source, stream.name)
    if (!locked) return await busy(summary, warehouse, log, events, started)
    if (!dryRun) await sweepAbandonedRuns(warehouse, session, source, stream.name, log, events)
    const reads = await startReads(run, session)
    settle(summary, await readAll(reads.run, reads.catchUp, reads.readWholeAgain), reads.run.target.pass !== null)
  } catch (error) {
    fail(run, error)
  } finally {
    clearInterval(run.heartbeat)
    run.connectorAbort.abort()
    options.signal?.removeEventListener('abort', onStop)
    summary.durationMs = Math.round(performance.now() - started)
    summary.attempts = run.attempts.count
    // the run's last line, kept in its log before the run is recorded as ended (a busy run has no log)
    if (summary.status !== 'skipped') log.info(countsOf(summary), `sync ${summary.status} in ${(summary.durationMs / 1000).toFixed(1)} s: ${summary.fetched} fetched, ${summary.inserted} inserted, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.rejected} rejected, ${summary.coerced} coerced, ${summary.deleted} deleted`)
    await runLog.close()
    await recordRunEnd(warehouse, summary, log)
    if (session) {
      if (locked) await warehouse.store.unlockStream(session, source, stream.name).catch(() => {})
      await session.release()
    }
    releaseHere(lockKey)
  }
  events.emit('run:end', { summary })
  return summary
}

/**
 * Everything between the lock and the first read: the stream's state, the strategy it implies, the
 * run's history row and heartbeat, the full pass it opens or resumes, and where the reads start.
 */
async function startReads(run: Running, session: Session): Promise<{ run: ReadRun; catchUp: boolean; readWholeAgain: boolean }> {
  const { source, stream, options, warehouse, summary } = run
  const { dryRun } = options
  const contract = options.contract ?? DEFAULT_CONTRACT
  const table: StreamTable = { schema: source, table: stream.name, columns: declaredColumns(stream, contract), primaryKey: stream.primaryKey }
  const history = contract.history ?? false
  const { created, tableExists, state, storedCursor } = await openStreamState(warehouse, session, stream, table, { dryRun, history }, run.log)
  const strategy = resolveStrategy(options.flags, { cursor: storedCursor, fullPass: state?.full_pass ?? null }, { alwaysFull: stream.alwaysFull })
  summary.mode = strategy.mode
  summary.cursorFrom = storedCursor ?? null
  // a dry run is recorded too, marked: its history row, counts and log say what it would have done
  summary.runId = await recordRunStart(warehouse, { source, stream: stream.name, mode: strategy.mode, trigger: options.trigger, since: options.flags.since, until: options.flags.until, cursorFrom: storedCursor, workerId: options.workerId, dryRun })
  run.runLog.attach(summary.runId)
  const runLog = run.log.child({ runId: summary.runId })
  runLog.info({ mode: strategy.mode, dryRun }, `sync started: ${strategy.reason}`)
  if (contract.raw === 'slim' && !stream.byteRows) {
    runLog.warn(`"raw": "slim" does not apply to ${source}.${stream.name}: only streams whose rows crmsync reads straight from the source's bytes store _raw slim (README "Slim _raw"); its rows keep _raw whole`)
  }
  options.events.emit('run:start', { runId: summary.runId, source, stream: stream.name, mode: strategy.mode, trigger: options.trigger, reason: strategy.reason, dryRun })
  if (summary.runId !== null) {
    const stopping = run.stopping
    const onStopRequested = () => !stopping.signal.aborted && (runLog.info('a stop was requested: stopping after the page in hand'), stopping.abort())
    run.heartbeat = startHeartbeat(warehouse, summary.runId, options.heartbeatMs ?? 10_000, onStopRequested)
  }

  const pass: FullPass | null =
    strategy.newPass && tableExists && stream.write !== 'append'
      ? await startFullPass(warehouse.store, session, { source, stream: stream.name, runId: summary.runId }, table, strategy.mode === 'force' ? 'force' : 'full', stream.detectDeletes ?? true, state?.full_pass ?? null, dryRun)
      : strategy.resumePass
        ? (state?.full_pass ?? null)
        : null
  const writeRule: WriteRule = stream.write === 'append' ? 'append' : strategy.mode === 'force' ? 'force' : 'merge'
  const saveCursor = strategy.mode !== 'backfill'
  const reads = readRun(run, session, runLog, { source, stream, table, runId: summary.runId, writeRule, history, pass, saveCursor, dryRun, createTable: dryRun ? runLog : undefined }, created)
  reads.readKind = strategy.mode === 'backfill' ? 'backfill' : strategy.mode === 'incremental' ? 'incremental' : 'full'
  reads.position = strategy.mode === 'incremental' || strategy.resumePass ? storedCursor : undefined
  reads.applyLookback = strategy.mode === 'incremental'
  // A run that finishes someone else's interrupted read has not yet seen what changed since that
  // read began (records on its committed pages may have changed since): once the old read ends,
  // one more read brings the table up to this run's start: incremental from the new cursor (with
  // lookback), or a new full pass for a stream that is read whole on every run.
  const catchUp =
    !dryRun &&
    saveCursor &&
    stream.write !== 'append' &&
    (strategy.resumePass || (strategy.mode === 'incremental' && (await warehouse.store.lastRunStoppedEarly(session, source, stream.name))))
  // A resumed pass saw its first part before the pause: a row it saw then and the source deleted
  // during the pause counts as seen, so the pass alone cannot judge deletes (docs/design.md §3.5).
  // Once it ends, one whole read in this run judges them; so it does for a stream read whole anyway.
  // A first load is no exception: the rows its first part loaded are rows the source may delete.
  // (A pass paused before it committed a position is not resumed but started again, a new pass
  // with no keys from before its pause: resolveStrategy. A resumed pass always has a position.)
  const readWholeAgain = stream.alwaysFull === true || (strategy.resumePass && pass !== null && (stream.detectDeletes ?? true))
  return { run: reads, catchUp, readWholeAgain }
}

/** The read loop's state for this run, before its position is set. */
function readRun(run: Running, session: Session, log: Logger, target: ReadRun['target'], created: boolean): ReadRun {
  const { source, stream, options, summary } = run
  let reads: ReadRun | undefined
  const ctx: RunContext = {
    signal: run.connectorAbort.signal,
    log,
    now: () => new Date(),
    report: (event) => {
      // a read's told size is kept for the progress its commits report
      if (event.type === 'size' && reads) noteReadSize(reads, event)
      options.events.emit('connector', { source, stream: stream.name, ...event })
    },
  }
  const contract = options.contract ?? DEFAULT_CONTRACT
  const timeZone = options.timeZone ?? 'UTC'
  const position = { readKind: 'full' as const, position: undefined, applyLookback: false }
  const counts = { totals: zeroCounts(), pageNo: 0, attempts: run.attempts }
  reads = { source, stream, options, store: run.warehouse.store, session, summary, log, events: options.events, target, ctx, stopping: run.stopping.signal, contract, timeZone, created, ...position, ...counts }
  return reads
}

/** The run's status once its reads ended. */
function settle(summary: RunSummary, end: ReadsEnd, passOpen: boolean): void {
  const { complete, refused } = end
  summary.status = summary.rejected > 0 || refused || !complete ? 'partial' : 'succeeded'
  if (!complete) {
    // a cut that saved no position (its records could not tell where the read stood) is read again
    const next = passOpen && summary.cursorTo == null ? 'starts the full pass again' : `carries on from the last committed record${passOpen ? ' and finishes the full pass' : ''}`
    summary.error = `stopped after ${summary.fetched} records (--max-records); the next run ${next}${passOpen ? ', which deletes nothing until then' : ''}`
    summary.errorCode = 'max_records'
  } else if (refused) {
    summary.error = refused
    summary.errorCode = 'deletions_refused'
  } else if (summary.rejected > 0) {
    summary.error = `${summary.rejected} records were rejected; see crmsync.rejects (crmsync history --run ${summary.runId ?? ''})`
    summary.errorCode = 'rejected_records'
  }
}

/** The run's status once it threw. */
function fail(run: Running, error: unknown): void {
  const { summary } = run
  const failure = coerceError(error)
  // a person's stop is never a failure, wherever it lands: a read it aborted fails as a consequence
  const cancelled = failure.code === 'cancelled' || run.stopping.signal.aborted
  summary.status = cancelled ? 'cancelled' : 'failed'
  summary.error = redactSecrets(cancelled && failure.code !== 'cancelled' ? `stopped on request after ${summary.fetched} committed records; the next run resumes from there` : failure.message)
  summary.errorCode = cancelled ? 'cancelled' : failure.code
  run.log.error({ runId: summary.runId, code: failure.code, err: failure.cause instanceof Error && failure.code === 'internal' ? failure.cause : undefined }, `sync ${summary.status}: ${summary.error}`)
}
