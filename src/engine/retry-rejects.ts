import type { Page, Stream } from '../connectors/types.ts'
import type { Logger } from '../log.ts'
import type { CommitBatch, DbReject, Warehouse } from '../warehouse/store.ts'
import type { EngineEvents } from './events.ts'
import { openStoredTable, runLocked, stopIfAsked, type LockedRun } from './locked-run.ts'
import { prepareBatches } from './prepare-page.ts'
import { countCommitted, zeroCounts } from './read-loop.ts'
import { recordsOf, type Rebuilt } from './reprocess.ts'
import type { SyncTarget } from './run-sync.ts'
import type { RunSummary } from './summary.ts'
import type { StreamContract, TableShape } from './table-shape.ts'

/**
 * `crmsync rejects retry` (docs/design.md §3.14): a stream's rejected records, as stored in
 * crmsync.rejects, through today's processors (`Stream.rebuild`), with no call to the source.
 * Those that now pass are merged — by the ordinary `merge` rule, whose cursor guard never lets an
 * older version overwrite a newer one the warehouse already holds — and leave crmsync.rejects in
 * the same transaction; the others stay, with the reason today's processors give.
 */
export interface RetryRejectsOptions {
  warehouse: Warehouse
  log: Logger
  events: EngineEvents
  dryRun: boolean
  /** rejects per batch, one transaction each */
  batchSize: number
  /** only the rejects of this run */
  runId?: number
  trigger: string
  contract?: StreamContract
  timeZone?: string
  signal?: AbortSignal
  heartbeatMs?: number
}

/** What a source's settings say about retrying one of its streams' rejects: batch size, contract, zone. */
export const retrySettingsOf = (settings: SyncTarget['settings'], stream: Stream) => ({
  batchSize: settings.batchSize,
  contract: settings.streams?.[stream.name],
  timeZone: settings.timeZone,
})

/** Retries one stream's rejects; never throws. The caller checks `cannotRebuild` first. */
export function retryRejects(source: string, stream: Stream, options: RetryRejectsOptions): Promise<RunSummary> {
  return runLocked(source, stream, { ...options, what: 'the retry of rejects' }, (run) => retryAll(run, options))
}

async function retryAll(run: LockedRun, options: RetryRejectsOptions): Promise<void> {
  const { source, stream, session, summary } = run
  // a sync creates its table before it reads, so a stream's rejects have one: unless it was dropped since
  const noTable = `${source}.${stream.name} has no table in the warehouse; sync it first (crmsync sync ${source} ${stream.name}), then retry its rejects`
  // history mode: a retried record that is stored is a new version, as in a sync
  const { store, shape, target } = await openStoredTable(run, options, { writeRule: stream.write === 'append' ? 'append' : 'merge' }, noTable)
  const totals = zeroCounts()
  run.log.info({ dryRun: options.dryRun, runFilter: options.runId }, 'retrying rejects with today\'s processors, no source call')
  let afterId = 0
  for (let pageNo = 1; ; pageNo++) {
    const all = await store.rejectsToRetry(session, source, stream.name, options.runId ?? null, afterId, options.batchSize)
    // rejects this run wrote (records refused again after they were rebuilt) come last: not retried twice
    const rejects = all.filter((r) => summary.runId === null || Number(r.run_id) !== summary.runId)
    if (rejects.length === 0) break
    afterId = rejects[rejects.length - 1].id
    const batch = await retryBatch(run, rejects, shape, options)
    const counts = await store.commitBatch(session, target, batch, pageNo, undefined, 0)
    countCommitted({ ...run, totals, events: options.events }, pageNo, counts, undefined)
    stopIfAsked(run, pageNo)
    if (all.length < options.batchSize) break
  }
}

/** One batch of rejects rebuilt, prepared as a sync prepares a page, with which of them it stores and which stay. */
async function retryBatch(run: LockedRun, rejects: readonly DbReject[], shape: TableShape, options: RetryRejectsOptions): Promise<CommitBatch> {
  const rebuild = run.stream.rebuild as NonNullable<Stream['rebuild']>
  const timeZone = options.timeZone ?? 'UTC'
  const rebuilt: Rebuilt[] = []
  const stored: number[] = []
  const refused: { id: number; reason: string }[] = []
  for (const reject of rejects) {
    const result = rebuild(reject.raw, { timeZone })
    if ('reject' in result) {
      refused.push({ id: reject.id, reason: result.reject })
      continue
    }
    stored.push(reject.id)
    rebuilt.push(result)
  }
  async function* page(): AsyncGenerator<Page> {
    yield { ...recordsOf(rebuilt), cursor: undefined }
  }
  let prepared: CommitBatch | undefined
  for await (const batch of prepareBatches(run.stream, page(), Number.MAX_SAFE_INTEGER, { shape, timeZone, store: options.warehouse.store })) prepared = batch.prepared
  const { store } = options.warehouse
  const batch = prepared ?? { rows: store.stageRows().done(), rejects: [], fetched: 0, coerced: 0, replaceScopes: [], columns: shape.columns, schemaChanges: [] }
  return { ...batch, fetched: rejects.length, retriedRejects: { stored, refused } }
}
