import type { Page, RebuildResult, RejectedRecord, SourceField, SourceRecord, SourceSchema, Stream } from '../connectors/types.ts'
import type { Logger } from '../log.ts'
import type { CommitTarget, LiveRow, PageCounts, StreamTable, Store, Warehouse } from '../warehouse/store.ts'
import type { EngineEvents } from './events.ts'
import { openStoredTable, runLocked, stopIfAsked, type LockedRun } from './locked-run.ts'
import { prepareBatches, type PreparedBatch } from './prepare-page.ts'
import { countCommitted, zeroCounts } from './read-loop.ts'
import type { RunSummary } from './summary.ts'
import type { StreamContract, TableShape } from './table-shape.ts'

/**
 * `crmsync reprocess` (docs/design.md §3.14): today's processors and validators over the `_raw`
 * every live row keeps, with no call to the source. The rows are read in primary-key order and
 * written back through the same preparation and commit as a sync's, write rule `reprocess`: only
 * typed columns and `_meta` that differ change; no row is inserted or deleted, no cursor or pass
 * moves, `_raw`, `_hash` and `_synced_at` stay. Each batch saves the key it ended at in its own
 * transaction, so a reprocess killed half-way resumes there at the next one.
 */
export interface ReprocessOptions {
  warehouse: Warehouse
  log: Logger
  events: EngineEvents
  dryRun: boolean
  /** rows read and committed per batch, one transaction each */
  batchSize: number
  /** only these keys (as `Store.keyText` writes them); no resume point is kept or used */
  keys?: readonly string[]
  trigger: string
  /** the stream's schema contract: its pins apply, as in a sync */
  contract?: StreamContract
  /** the IANA zone of the source's timestamps without one; UTC by default */
  timeZone?: string
  signal?: AbortSignal
  heartbeatMs?: number
}

/** Why a stream cannot be reprocessed (nor its rejects retried), or undefined when it can. */
export function cannotRebuild(source: string, stream: Stream): string | undefined {
  if (stream.rebuild) return undefined
  return (
    `${source}.${stream.name} cannot be reprocessed: its records depend on more than the record as received (_raw), ` +
    `so they cannot be rebuilt from what the warehouse stores. Re-read it from the source instead: crmsync sync ${source} ${stream.name} --full`
  )
}

/** Reprocesses one stream; never throws (the summary says what happened). The caller checks `cannotRebuild` first. */
export function runReprocess(source: string, stream: Stream, options: ReprocessOptions): Promise<RunSummary> {
  return runLocked(source, stream, { ...options, what: 'the reprocess' }, (run) => reprocessRows(run, options))
}

/** A reprocess's state as it goes: where it reads from, what it commits into, and its totals. */
interface Reprocessing {
  run: LockedRun
  options: ReprocessOptions
  store: Store
  table: StreamTable
  shape: TableShape
  target: CommitTarget
  after: string[] | null
  totals: PageCounts
  pageNo: number
}

async function reprocessRows(run: LockedRun, options: ReprocessOptions): Promise<void> {
  const state = await openReprocess(run, options)
  const { store, table, shape } = state
  const timeZone = options.timeZone ?? 'UTC'
  const pages = rebuiltPages(state, timeZone)
  for await (const batch of prepareBatches(run.stream, pages, options.batchSize, { shape, timeZone, store })) await commit(state, batch)
  // complete: the next reprocess starts from the first key again
  if (!options.keys && !options.dryRun) await store.saveReprocessAfter(run.session, run.source, table.table, null)
}

/** The table, the resume point an unfinished reprocess left, and the commit target of the batches. */
async function openReprocess(run: LockedRun, options: ReprocessOptions): Promise<Reprocessing> {
  const { source, stream, session } = run
  const noTable = `${source}.${stream.name} has no table in the warehouse yet, so there is nothing to reprocess; sync it first: crmsync sync ${source} ${stream.name}`
  // history mode: a reprocess amends each row's current version in place (the source did not change)
  const opened = await openStoredTable(run, options, { writeRule: 'reprocess', reprocessCheckpoint: !options.keys }, noTable)
  const state = options.keys ? undefined : await opened.store.loadStreamState(session, source, stream.name)
  const after = state?.reprocess_after ?? null
  const what = options.keys ? `${options.keys.length} keys` : after ? `the rows after key ${after.join(', ')} (resuming an unfinished reprocess)` : 'every live row'
  run.log.info({ dryRun: options.dryRun, after }, `reprocess started: ${what}, from the stored _raw, no source call`)
  return { run, options, ...opened, after, totals: zeroCounts(), pageNo: 0 }
}

/** The live rows after the resume point, a batch at a time in key order, each rebuilt from its `_raw`. */
async function* rebuiltPages(state: Reprocessing, timeZone: string): AsyncGenerator<Page<string[]>> {
  const { run, store, table, options } = state
  const rebuild = run.stream.rebuild as NonNullable<Stream['rebuild']>
  // slim rows are rebuilt by their shapes' own SQL: looked up row by row, a reprocess of 1M took a fifth longer
  const shapes = await store.listRecordShapes(run.session)
  for (let after = state.after; ; ) {
    const rows = await store.readLiveRows(run.session, table, { after, limit: options.batchSize, keys: options.keys ?? null, shapes })
    if (rows.length === 0) return
    after = rows[rows.length - 1].key
    yield rebuildPage(rows, (raw) => rebuild(raw, { timeZone }), store.keyText, after)
    if (rows.length < options.batchSize) return
  }
}

/** Rows rebuilt into one page: their records (a row its stream now refuses is a reject), and the fields they carry. */
export function rebuildPage(rows: readonly LiveRow[], rebuild: (raw: unknown) => RebuildResult, keyText: Store['keyText'], cursor: string[] | undefined): Page<string[]> {
  const rejects: RejectedRecord[] = []
  const rebuilt: Rebuilt[] = []
  for (const row of rows) {
    const result = rebuild(row.raw)
    if ('reject' in result) rejects.push({ key: result.key ?? keyText(row.key), reason: result.reject, raw: row.raw })
    else rebuilt.push(result)
  }
  return { ...recordsOf(rebuilt), rejects, cursor }
}

/** A stored record rebuilt: the records it gives again. */
export type Rebuilt = Exclude<RebuildResult, { reject: string }>

/** The records of rebuilt stored records, with the source fields they carry (a shape never complete: one page's fields). */
export function recordsOf(rebuilt: readonly Rebuilt[]): { records: SourceRecord[]; schema: SourceSchema | undefined } {
  const records: SourceRecord[] = []
  const fields = new Map<string, SourceField>()
  for (const result of rebuilt) {
    for (const record of result.records) records.push(record)
    for (const field of result.schema?.fields ?? []) if (!fields.has(field.name)) fields.set(field.name, field)
  }
  return { records, schema: fields.size ? { fields: [...fields.values()], complete: false } : undefined }
}

/** Commits one batch (one transaction, with the key it ends at) and adds its counts to the run's. */
async function commit(state: Reprocessing, batch: PreparedBatch): Promise<void> {
  const { run, totals } = state
  const pageNo = ++state.pageNo
  const counts = await state.store.commitBatch(run.session, state.target, batch.prepared, pageNo, batch.cursor, 0)
  countCommitted({ ...run, totals, events: state.options.events }, pageNo, counts, batch.cursor)
  stopIfAsked(run, pageNo)
}
