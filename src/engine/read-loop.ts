import type { ReadKind, ReadSize, RunContext, Stream } from '../connectors/types.ts'
import { coerceError, SyncError } from '../errors.ts'
import { redactSecrets, type Logger } from '../log.ts'
import { countsOf, zeroRunCounts } from '../run-counts.ts'
import { sleep } from '../sleep.ts'
import type { CommitTarget, FullPass, PageCounts, Session, Store } from '../warehouse/store.ts'
import type { EngineEvents, ReadProgress } from './events.ts'
import { finishFullPass, startFullPass } from './full-pass.ts'
import { limitRecords } from './limit-records.ts'
import { prefetch } from './prefetch.ts'
import { prepareBatches, type PreparedBatch } from './prepare-page.ts'
import type { RetryPolicy } from './run-stream.ts'
import type { RunSummary } from './summary.ts'
import { createTableShape, type SchemaChange, type StreamContract } from './table-shape.ts'

/** The read loop's options, as runStream was given them. */
export interface ReadOptions {
  /** records per page asked of the source (`ReadRequest.pageSize`) */
  pageSize: number
  /** records per commit: pages are committed in batches of at least this many (one transaction each) */
  commitRows: number
  maxRecords?: number
  flags: { since?: string; until?: string }
  lookbackSeconds: number
  horizonSeconds: number
  retry?: RetryPolicy
  maxDeleteFraction?: number
}

/** One run's reads: what they read with, where they are, and what they have committed so far. */
export interface ReadRun {
  source: string
  stream: Stream
  options: ReadOptions
  store: Store
  session: Session
  summary: RunSummary
  log: Logger
  events: EngineEvents
  target: CommitTarget
  ctx: RunContext
  /** aborted by a graceful stop: the page in hand commits, then the run ends */
  stopping: AbortSignal
  contract: StreamContract
  timeZone: string
  /** the table is new in this run */
  created: boolean
  readKind: ReadKind
  position: unknown
  applyLookback: boolean
  totals: PageCounts
  pageNo: number
  /** attempts of the run's reads, the first one included */
  attempts: { count: number }
  /** the size the source told for the read in hand, and the run's count when it told it */
  size?: ToldSize
}

/** A read's size as its source told it, with where the run's count stood then (a run may read more than once). */
export interface ToldSize extends ReadSize {
  fetchedBefore: number
}

export const zeroCounts = (): PageCounts => ({ ...zeroRunCounts(), fetchMs: 0, writeMs: 0 })

/** What a run keeps of its committed batches: its totals, the summary they show, and who hears of them. */
export interface CountedRun {
  source: string
  stream: { readonly name: string }
  summary: RunSummary
  totals: PageCounts
  events: EngineEvents
  log: Logger
}

/** Adds a committed batch's counts to its run's: the totals, the summary, a `page:committed` event and a debug line. */
export function countCommitted(run: CountedRun, pageNo: number, counts: PageCounts, cursor: unknown, progress?: (totals: PageCounts) => ReadProgress | undefined): void {
  const { summary, totals } = run
  for (const key of Object.keys(totals) as (keyof PageCounts)[]) totals[key] += counts[key]
  Object.assign(summary, countsOf(totals))
  const told = progress?.(totals)
  run.events.emit('page:committed', { runId: summary.runId, source: run.source, stream: run.stream.name, pageNo, page: counts, totals: { ...totals }, cursor, dryRun: summary.dryRun, ...(told ? { progress: told } : {}) })
  run.log.debug({ pageNo, ...counts }, 'page committed')
}

/**
 * Keeps the size the source told for the read in hand (a `size` event through `RunContext.report`),
 * with the run's count at that moment, so a second read (a catch-up, a retry) counts from its own
 * start; a records count is capped by what `--max-records` leaves.
 */
export function noteReadSize(run: ReadRun, size: ReadSize): void {
  const fetchedBefore = run.totals.fetched
  const left = run.options.maxRecords === undefined ? undefined : Math.max(0, run.options.maxRecords - fetchedBefore)
  const records = size.records === undefined || left === undefined ? size.records : Math.min(size.records, left)
  run.size = { records, bytes: size.bytes, fetchedBefore }
}

/** How far the read in hand is through its told size once a batch is committed; undefined when the source told none. */
export function progressOf(size: ToldSize | undefined, fetched: number, bytesRead: number | undefined): ReadProgress | undefined {
  if (size?.records !== undefined) return { unit: 'records', done: fetched - size.fetchedBefore, total: size.records }
  if (size?.bytes !== undefined && bytesRead !== undefined) return { unit: 'bytes', done: bytesRead, total: size.bytes }
  return undefined
}

/** How the run's reads ended: complete (not cut short by --max-records), and a refusal of the pass's deletions. */
export interface ReadsEnd {
  complete: boolean
  refused?: string
}

/**
 * Reads the stream to its end, and once more when the first read finished an interrupted one
 * (`catchUp`): incrementally from the new cursor, or whole (`readWholeAgain`) so that a resumed
 * pass's deletions are judged (docs/design.md §3.5).
 */
export async function readAll(run: ReadRun, catchUp: boolean, readWholeAgain: boolean): Promise<ReadsEnd> {
  const { stream, target } = run
  // one read, or two when the first finished an interrupted one (see catchUp)
  for (;;) {
    const complete = await readToEnd(run)
    let next: FullPass | undefined
    let refused: string | undefined
    if (complete && target.pass && !target.dryRun) {
      // the whole read still owed opens as the resumed pass ends, in its transaction (see finishFullPass)
      const wholeReadNext = catchUp && readWholeAgain ? { detectDeletes: stream.detectDeletes ?? true } : undefined
      ;({ next, refused } = await endPass(run, target.pass, wholeReadNext))
    }
    if (!complete || !catchUp || refused || (run.position === undefined && !readWholeAgain)) return { complete, refused }
    catchUp = false
    if (readWholeAgain) {
      target.pass = next ?? (await startFullPass(run.store, run.session, ids(run), target.table, target.pass?.mode ?? 'full', stream.detectDeletes ?? true, null, target.dryRun))
      run.readKind = 'full'
      run.position = undefined
      run.applyLookback = false
      run.log.info('the interrupted pass is finished; reading the stream whole once more, for what changed and what was deleted since it began')
    } else {
      target.pass = null
      run.readKind = 'incremental'
      run.applyLookback = true
      run.log.info({ cursor: run.position }, 'the interrupted read is finished; reading on incrementally for what changed since it began')
    }
  }
}

const ids = (run: ReadRun) => ({ source: run.source, stream: run.stream.name, runId: run.summary.runId, history: run.target.history })

/** Ends the read's full pass: its deletions, counted in the run's totals. */
async function endPass(run: ReadRun, pass: FullPass, wholeReadNext: { detectDeletes: boolean } | undefined): Promise<{ next?: FullPass; refused?: string }> {
  const end = await finishFullPass(run.store, run.session, ids(run), run.target.table, pass, run.options.maxDeleteFraction ?? 0.5, wholeReadNext)
  run.totals.deleted += end.deleted
  run.summary.deleted = run.totals.deleted
  if (end.deleted) run.log.info({ deleted: end.deleted }, `the full pass is complete: ${end.deleted} rows no longer at the source were soft-deleted`)
  if (end.refused) run.log.warn(end.refused)
  return { next: end.next, refused: end.refused }
}

/** Reads from `position` to the end (or --max-records), retrying from the last committed page; true when it got to the end. */
async function readToEnd(run: ReadRun): Promise<boolean> {
  for (;;) {
    try {
      return await readOnce(run)
    } catch (error) {
      const failure = coerceError(error)
      const wait = failure.retryable && !run.stopping.aborted ? run.options.retry?.(failure, run.attempts.count) : undefined
      if (wait === undefined) throw failure
      const attempt = ++run.attempts.count
      run.log.warn({ attempt, waitMs: wait, code: failure.code }, `read failed (${redactSecrets(failure.message)}); resuming from the last committed page in ${Math.round(wait / 1000)} s`)
      run.events.emit('run:retry', { runId: run.summary.runId, source: run.source, stream: run.stream.name, attempt, waitMs: wait, error: redactSecrets(failure.message), code: failure.code })
      await sleep(wait, run.stopping)
    }
  }
}

/** One attempt at the read: its batches prepared as they arrive and committed one by one; true when it got to the end. */
async function readOnce(run: ReadRun): Promise<boolean> {
  const { stream, options, source } = run
  let waited = 0
  let truncated = false
  const left = options.maxRecords === undefined ? undefined : Math.max(0, options.maxRecords - run.totals.fetched)
  // a size told for an earlier read (or attempt) is not this one's
  run.size = undefined
  const read = stream.read(
    {
      kind: run.readKind,
      cursor: run.position as never,
      applyLookback: run.applyLookback,
      since: options.flags.since,
      until: options.flags.until,
      lookbackSeconds: options.lookbackSeconds,
      horizonSeconds: options.horizonSeconds,
      pageSize: left === undefined ? options.pageSize : Math.max(1, Math.min(options.pageSize, left)),
      timeZone: run.timeZone,
    },
    run.ctx,
  )
  const pages = left === undefined ? read : limitRecords(read, left, stream, () => (truncated = true))
  // the table's shape as committed: a failed attempt may have planned changes it never applied
  const shape = createTableShape(source, stream, await run.store.listStoredColumns(run.session, source, stream.name), run.contract, run.created)
  // batches are validated and encoded as pages arrive, so the next batch's CPU work overlaps this one's commit
  for await (const batch of prefetch(prepareBatches(stream, pages, options.commitRows, { shape, timeZone: run.timeZone, store: run.store }), (ms) => (waited += ms))) {
    await commit(run, batch, waited)
    waited = 0
  }
  return !truncated
}

/** Commits one batch (one store call, one transaction) and moves the run on past it. */
async function commit(run: ReadRun, batch: PreparedBatch, waited: number): Promise<void> {
  const { summary } = run
  const pageNo = ++run.pageNo
  const counts = await run.store.commitBatch(run.session, run.target, batch.prepared, pageNo, batch.cursor, waited)
  if (batch.prepared.schemaChanges.length) reportSchemaChanges(run, batch.prepared.schemaChanges)
  if (batch.cursor !== undefined) {
    run.position = batch.cursor
    run.applyLookback = false
    summary.cursorTo = batch.cursor
  }
  countCommitted(run, pageNo, counts, batch.cursor, (totals) => progressOf(run.size, totals.fetched, batch.bytesRead))
  if (run.stopping.aborted) throw new SyncError('cancelled', `stopped on request after committing page ${pageNo}`)
}

function reportSchemaChanges(run: ReadRun, all: readonly SchemaChange[]): void {
  const initial = all.filter((c) => c.initial)
  if (initial.length) run.log.info({ columns: initial.map((c) => c.column) }, `the new table took ${initial.length} columns from the source's shape`)
  const changes = all.filter((c) => !c.initial)
  if (changes.length === 0) return
  for (const c of changes) {
    const what = c.change === 'added' ? `added (${c.toType})` : c.change === 'widened' ? `widened ${c.fromType} → ${c.toType}` : 'dropped at the source (the column is kept; NULL from now on)'
    run.log.info({ column: c.column, change: c.change, fromType: c.fromType, toType: c.toType }, `column ${c.column} ${what}`)
  }
  run.events.emit('schema:changed', { runId: run.summary.runId, source: run.source, stream: run.stream.name, changes, dryRun: run.summary.dryRun })
}
