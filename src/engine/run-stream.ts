import { hostname } from 'node:os'
import type { ReadMode, RunContext, Stream } from '../connectors/types.ts'
import { coerceError, SyncError } from '../errors.ts'
import { redactSecrets, type Logger } from '../log.ts'
import { sleep } from '../sleep.ts'
import type { MergeMode } from '../warehouse/merge.ts'
import { tryStreamLock, unlockStream } from '../warehouse/sql/locks.ts'
import { finishRun, heartbeatRun, insertRun, lastRunStoppedEarly, listRuns, markAbandonedRuns, requestStop, type PageCounts } from '../warehouse/sql/runs.ts'
import { initRowCounts, loadStreamState, recordRunOutcome, type FullPass } from '../warehouse/sql/stream-state.ts'
import { listStoredColumns, registerDeclaredColumns } from '../warehouse/sql/stream-columns.ts'
import { ensureStreamTable, listTableColumns, type StreamTable } from '../warehouse/stream-table.ts'
import type { Session, Warehouse } from '../warehouse/types.ts'
import { commitPage, type CommitTarget } from './commit-page.ts'
import type { EngineEvents } from './events.ts'
import { finishFullPass, startFullPass } from './full-pass.ts'
import { limitRecords } from './limit-records.ts'
import { prefetch } from './prefetch.ts'
import { prepareBatches } from './prepare-page.ts'
import { resolveStrategy, type StrategyFlags } from './strategy.ts'
import { emptySummary, type RunSummary } from './summary.ts'
import { createTableShape, declaredColumns, DEFAULT_CONTRACT, type SchemaChange, type StreamContract } from './table-shape.ts'

/** Decides whether a failed read is tried again (from the last committed page) and after how long. */
export type RetryPolicy = (error: SyncError, attempt: number) => number | undefined

export interface StreamRunOptions {
  warehouse: Warehouse
  log: Logger
  events: EngineEvents
  flags: StrategyFlags
  dryRun: boolean
  batchSize: number
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

const zeroCounts = (): PageCounts => ({ fetched: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0, coerced: 0, deleted: 0, fetchMs: 0, writeMs: 0 })

/**
 * Runs one stream once, keeping every engine rule of docs/design.md §3, and returns its summary. It
 * never throws: whatever happens is in the summary, the run's history row and the log.
 */
export async function runStream(source: string, stream: Stream, options: StreamRunOptions): Promise<RunSummary> {
  const started = performance.now()
  const { warehouse, events, dryRun } = options
  const log = options.log.child({ source, stream: stream.name })
  const summary = emptySummary(source, stream.name, 'incremental', dryRun)
  const lockKey = `${warehouse.location}|${source}.${stream.name}`
  if (runningHere.has(lockKey)) return busy(summary, warehouse, log, events, started)
  runningHere.add(lockKey)

  const contract = options.contract ?? DEFAULT_CONTRACT
  const timeZone = options.timeZone ?? 'UTC'
  const table: StreamTable = { schema: source, table: stream.name, columns: declaredColumns(stream, contract), primaryKey: stream.primaryKey }
  const connectorAbort = new AbortController()
  // a graceful stop (a signal, or a stop request seen at a heartbeat): the page in hand commits, then the run ends
  const stopping = new AbortController()
  const onStop = () => stopping.abort()
  options.signal?.addEventListener('abort', onStop, { once: true })
  stopping.signal.addEventListener(
    'abort',
    () => {
      connectorAbort.abort(new SyncError('cancelled', 'stopped on request'))
      // recorded, so that if this process is ended before it can finish the run (a second Ctrl-C),
      // whoever finds the run dead marks it cancelled, not failed
      if (summary.runId !== null && !dryRun) void requestStop(warehouse, summary.runId).catch(() => {})
    },
    { once: true },
  )
  let session: Awaited<ReturnType<Warehouse['session']>> | undefined
  let locked = false
  let heartbeat: NodeJS.Timeout | undefined
  let attempts = 1
  try {
    session = await warehouse.session()
    locked = await tryStreamLock(session, source, stream.name)
    if (!locked) return await busy(summary, warehouse, log, events, started)
    if (!dryRun) {
      for (const dead of await markAbandonedRuns(session, source, stream.name)) {
        if (dead.status === 'cancelled') {
          log.info({ deadRunId: dead.id }, `run ${dead.id} was stopped on request and its process exited; marked cancelled, resuming from its last committed page`)
          continue
        }
        log.warn({ deadRunId: dead.id }, `run ${dead.id} had stopped without finishing; marked failed, resuming from its last committed page`)
        events.emit('run:abandoned', { runId: dead.id, source, stream: stream.name })
      }
    }
    const created = dryRun ? (await listTableColumns(session, source, stream.name)).size === 0 : (await ensureStreamTable(session, table, log)).created
    const tableExists = !dryRun || !created
    if (!dryRun) await registerDeclaredColumns(session, source, stream.name, table.columns.map((c) => ({ name: c.name, sqlType: c.type.sql })))

    const state = await loadStreamState(session, source, stream.name)
    if (tableExists && !dryRun && (state?.live_rows == null || state?.deleted_rows == null)) await initRowCounts(session, source, stream.name)
    let storedCursor: unknown = undefined
    if (state?.cursor !== null && state?.cursor !== undefined) {
      const parsed = stream.cursorSchema.safeParse(state.cursor)
      if (parsed.success) storedCursor = parsed.data
      else log.warn({ cursor: state.cursor }, 'the stored cursor is not valid for this stream any more; starting a full pass')
    }
    const strategy = resolveStrategy(options.flags, { cursor: storedCursor, fullPass: state?.full_pass ?? null }, { alwaysFull: stream.alwaysFull })
    summary.mode = strategy.mode
    summary.cursorFrom = storedCursor ?? null
    summary.runId = dryRun
      ? null
      : await insertRun(warehouse, {
          source,
          stream: stream.name,
          mode: strategy.mode,
          trigger: options.trigger,
          since: options.flags.since,
          until: options.flags.until,
          cursorFrom: storedCursor,
          host: hostname(),
          pid: process.pid,
          workerId: options.workerId,
        })
    const runLog = log.child({ runId: summary.runId })
    runLog.info({ mode: strategy.mode, dryRun }, `sync started: ${strategy.reason}`)
    events.emit('run:start', { runId: summary.runId, source, stream: stream.name, mode: strategy.mode, trigger: options.trigger, reason: strategy.reason })
    if (summary.runId !== null) {
      const runId = summary.runId
      heartbeat = setInterval(
        () =>
          void heartbeatRun(warehouse, runId)
            .then((stop) => stop && !stopping.signal.aborted && (runLog.info('a stop was requested: stopping after the page in hand'), stopping.abort()))
            .catch(() => {}),
        options.heartbeatMs ?? 10_000,
      )
      heartbeat.unref()
    }

    const pass: FullPass | null =
      strategy.newPass && tableExists && stream.write !== 'append'
        ? await startFullPass(session, { source, stream: stream.name, runId: summary.runId }, table, strategy.mode === 'force' ? 'force' : 'full', stream.detectDeletes ?? true, state?.full_pass ?? null, dryRun)
        : strategy.resumePass
          ? (state?.full_pass ?? null)
          : null

    let readMode: ReadMode = strategy.mode === 'backfill' ? 'backfill' : strategy.mode === 'incremental' ? 'incremental' : 'full'
    const mergeMode: MergeMode = stream.write === 'append' ? 'append' : strategy.mode === 'force' ? 'force' : 'merge'
    const target: CommitTarget = {
      source,
      stream,
      table,
      runId: summary.runId,
      mergeMode,
      pass,
      saveCursor: strategy.mode !== 'backfill',
      dryRun,
      prepare: dryRun ? (tx) => ensureStreamTable(tx, table, runLog).then(() => {}) : undefined,
    }
    const ctx: RunContext = {
      signal: connectorAbort.signal,
      log: runLog,
      now: () => new Date(),
      report: (event) => events.emit('connector', { source, stream: stream.name, ...event }),
    }
    let position: unknown = strategy.mode === 'incremental' || strategy.resumePass ? storedCursor : undefined
    let applyLookback = strategy.mode === 'incremental'
    // A run that finishes someone else's interrupted read has not yet seen what changed since that
    // read began (records on its committed pages may have changed since): once the old read ends,
    // one more read brings the table up to this run's start: incremental from the new cursor (with
    // lookback), or a new full pass for a stream that is read whole on every run.
    let catchUp =
      !dryRun &&
      target.saveCursor &&
      stream.write !== 'append' &&
      (strategy.resumePass || (strategy.mode === 'incremental' && (await lastRunStoppedEarly(session, source, stream.name))))
    // A resumed pass saw its first part before the pause: a row it saw then and the source deleted
    // during the pause counts as seen, so the pass alone cannot judge deletes (docs/design.md §3.5).
    // Once it ends, one whole read in this run judges them; so it does for a stream read whole anyway.
    // A first load is no exception: the rows its first part loaded are rows the source may delete.
    // (A pass that committed nothing before its pause resumes from the start: that read is whole.)
    const readWholeAgain = stream.alwaysFull === true || (strategy.resumePass && pass !== null && (stream.detectDeletes ?? true) && storedCursor !== undefined)
    const totals = zeroCounts()
    const reportSchemaChanges = (all: readonly SchemaChange[]) => {
      const initial = all.filter((c) => c.initial)
      if (initial.length) runLog.info({ columns: initial.map((c) => c.column) }, `the new table took ${initial.length} columns from the source's shape`)
      const changes = all.filter((c) => !c.initial)
      if (changes.length === 0) return
      for (const c of changes) {
        const what = c.change === 'added' ? `added (${c.toType})` : c.change === 'widened' ? `widened ${c.fromType} → ${c.toType}` : 'dropped at the source (the column is kept; NULL from now on)'
        runLog.info({ column: c.column, change: c.change, fromType: c.fromType, toType: c.toType }, `column ${c.column} ${what}`)
      }
      events.emit('schema:changed', { runId: summary.runId, source, stream: stream.name, changes })
    }
    let pageNo = 0
    let refused: string | undefined
    // false once a read stopped short of its end (only --max-records does that)
    let complete = true

    /** Reads from `position` to the end (or --max-records), retrying from the last committed page; true when it got to the end. */
    const readToEnd = async (session: Session): Promise<boolean> => {
      for (;;) {
        try {
          let waited = 0
          let truncated = false
          const left = options.maxRecords === undefined ? undefined : Math.max(0, options.maxRecords - totals.fetched)
          const read = stream.read(
            {
              mode: readMode,
              cursor: position as never,
              applyLookback,
              since: options.flags.since,
              until: options.flags.until,
              lookbackSeconds: options.lookbackSeconds,
              horizonSeconds: options.horizonSeconds,
              batchSize: left === undefined ? options.batchSize : Math.max(1, Math.min(options.batchSize, left)),
              timeZone,
            },
            ctx,
          )
          const pages = left === undefined ? read : limitRecords(read, left, stream, () => (truncated = true))
          // the table's shape as committed: a failed attempt may have planned changes it never applied
          const shape = createTableShape(source, stream, await listStoredColumns(session, source, stream.name), contract, created)
          // batches are validated and encoded as pages arrive, so the next batch's CPU work overlaps this one's commit
          for await (const batch of prefetch(prepareBatches(stream, pages, options.batchSize, { shape, timeZone }), (ms) => (waited += ms))) {
            pageNo++
            const counts = await commitPage(session, target, batch.prepared, pageNo, batch.cursor, waited)
            waited = 0
            if (batch.prepared.schemaChanges.length) reportSchemaChanges(batch.prepared.schemaChanges)
            if (batch.cursor !== undefined) {
              position = batch.cursor
              applyLookback = false
              summary.cursorTo = batch.cursor
            }
            for (const key of Object.keys(totals) as (keyof PageCounts)[]) totals[key] += counts[key]
            Object.assign(summary, pick(totals))
            events.emit('page:committed', { runId: summary.runId, source, stream: stream.name, pageNo, page: counts, totals: { ...totals }, cursor: batch.cursor })
            runLog.debug({ pageNo, ...counts }, 'page committed')
            if (stopping.signal.aborted) throw new SyncError('cancelled', `stopped on request after committing page ${pageNo}`)
          }
          return !truncated
        } catch (error) {
          const failure = coerceError(error)
          const wait = failure.retryable && !stopping.signal.aborted ? options.retry?.(failure, attempts) : undefined
          if (wait === undefined) throw failure
          attempts++
          runLog.warn({ attempt: attempts, waitMs: wait, code: failure.code }, `read failed (${redactSecrets(failure.message)}); resuming from the last committed page in ${Math.round(wait / 1000)} s`)
          events.emit('run:retry', { runId: summary.runId, source, stream: stream.name, attempt: attempts, waitMs: wait, error: redactSecrets(failure.message), code: failure.code })
          await sleep(wait, stopping.signal)
        }
      }
    }

    // one read, or two when the first finished an interrupted one (see catchUp)
    for (;;) {
      complete = await readToEnd(session)
      let next: FullPass | undefined
      if (complete && target.pass && !dryRun) {
        // the whole read still owed opens as the resumed pass ends, in its transaction (see finishFullPass)
        const wholeReadNext = catchUp && readWholeAgain ? { detectDeletes: stream.detectDeletes ?? true } : undefined
        const end = await finishFullPass(session, { source, stream: stream.name, runId: summary.runId }, table, target.pass, options.maxDeleteFraction ?? 0.5, wholeReadNext)
        next = end.next
        totals.deleted += end.deleted
        summary.deleted = totals.deleted
        refused = end.refused
        if (end.deleted) runLog.info({ deleted: end.deleted }, `the full pass is complete: ${end.deleted} rows no longer at the source were soft-deleted`)
        if (refused) runLog.warn(refused)
      }
      if (!complete || !catchUp || refused || (position === undefined && !readWholeAgain)) break
      catchUp = false
      if (readWholeAgain) {
        target.pass = next ?? (await startFullPass(session, { source, stream: stream.name, runId: summary.runId }, table, target.pass?.mode ?? 'full', stream.detectDeletes ?? true, null, dryRun))
        readMode = 'full'
        position = undefined
        applyLookback = false
        runLog.info('the interrupted pass is finished; reading the stream whole once more, for what changed and what was deleted since it began')
      } else {
        target.pass = null
        readMode = 'incremental'
        applyLookback = true
        runLog.info({ cursor: position }, 'the interrupted read is finished; reading on incrementally for what changed since it began')
      }
    }
    summary.status = summary.rejected > 0 || refused || !complete ? 'partial' : 'succeeded'
    if (!complete) {
      summary.error = `stopped after ${summary.fetched} records (--max-records); the next run carries on from the last committed record${target.pass ? ' and finishes the full pass, which deletes nothing until then' : ''}`
      summary.errorCode = 'max_records'
    } else if (refused) {
      summary.error = refused
      summary.errorCode = 'deletions_refused'
    } else if (summary.rejected > 0) {
      summary.error = `${summary.rejected} records were rejected; see crmsync.rejects (crmsync history --run ${summary.runId ?? ''})`
      summary.errorCode = 'rejected_records'
    }
  } catch (error) {
    const failure = coerceError(error)
    // a person's stop is never a failure, wherever it lands: a read it aborted fails as a consequence
    const cancelled = failure.code === 'cancelled' || stopping.signal.aborted
    summary.status = cancelled ? 'cancelled' : 'failed'
    summary.error = redactSecrets(cancelled && failure.code !== 'cancelled' ? `stopped on request after ${summary.fetched} committed records; the next run resumes from there` : failure.message)
    summary.errorCode = cancelled ? 'cancelled' : failure.code
    log.error({ runId: summary.runId, code: failure.code, err: failure.cause instanceof Error && failure.code === 'internal' ? failure.cause : undefined }, `sync ${summary.status}: ${summary.error}`)
  } finally {
    clearInterval(heartbeat)
    connectorAbort.abort()
    options.signal?.removeEventListener('abort', onStop)
    summary.durationMs = Math.round(performance.now() - started)
    summary.attempts = attempts
    if (summary.runId !== null) {
      await finishRun(warehouse, summary.runId, {
        status: summary.status as string,
        durationMs: summary.durationMs,
        attempts,
        errorCode: summary.errorCode ?? undefined,
        error: summary.error ?? undefined,
      }).catch((error) => log.error({ err: error }, 'could not record the end of the run; the next run will mark it abandoned'))
      await recordRunOutcome(warehouse, source, stream.name, summary.runId, summary.status === 'succeeded').catch(() => {})
    }
    if (session) {
      if (locked) await unlockStream(session, source, stream.name).catch(() => {})
      await session.release()
    }
    runningHere.delete(lockKey)
  }
  log.info(pick(summary), `sync ${summary.status} in ${(summary.durationMs / 1000).toFixed(1)} s: ${summary.fetched} fetched, ${summary.inserted} inserted, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.rejected} rejected, ${summary.coerced} coerced, ${summary.deleted} deleted`)
  events.emit('run:end', { summary })
  return summary
}

const pick = (c: PageCounts | RunSummary) => ({ fetched: c.fetched, inserted: c.inserted, updated: c.updated, unchanged: c.unchanged, rejected: c.rejected, coerced: c.coerced, deleted: c.deleted })

async function busy(summary: RunSummary, warehouse: Warehouse, log: Logger, events: EngineEvents, started: number): Promise<RunSummary> {
  const [running] = await listRuns(warehouse, { source: summary.source, stream: summary.stream, status: 'running', limit: 1 }).catch(() => [])
  const who = running
    ? `run ${running.id} (started ${running.started_at.toISOString()} on ${running.host ?? '?'}, pid ${running.pid ?? '?'})`
    : 'another run'
  summary.status = 'skipped'
  summary.errorCode = 'busy'
  summary.error = `${summary.source}.${summary.stream} is already being synced by ${who}; this run did not start. Wait for it to finish.`
  summary.durationMs = Math.round(performance.now() - started)
  log.warn(summary.error)
  events.emit('run:end', { summary })
  return summary
}
