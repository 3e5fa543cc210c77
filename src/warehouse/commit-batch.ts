import {
  copyIntoTable,
  copyToStage,
  createStage,
  insertPassKeys,
  insertPassKeysFromStage,
  mergeStage,
  rawOfLine,
  softDeleteReplaced,
  type MergeCounts,
  type WriteRule,
} from './merge.ts'
import { deleteRejects, insertRejects, updateRejectReasons, type RejectRow } from './sql/rejects.ts'
import { saveReprocessAfter } from './sql/reprocess.ts'
import { makeRecordsWhole, saveRecordShapes } from './sql/record-shapes.ts'
import { addHistoryColumn, retypeHistoryColumn, updateCurrentVersions, writeVersionsFromStage, writeVersionsOfScopes, type VersionSource } from './history.ts'
import { batchVersionSource, ensureHistoryTable } from './history-table.ts'
import { insertRunPage } from './sql/run-pages.ts'
import { addPageToRun, type PageCounts } from './sql/runs.ts'
import { addRowCounts, saveCursor } from './sql/stream-state.ts'
import { insertSchemaChange, upsertStreamColumn } from './sql/stream-columns.ts'
import type { CommitBatch, CommitTarget, SchemaChange } from './store.ts'
import { addColumn, ensureStreamTable, retypeColumn, type StreamTable } from './stream-table.ts'
import type { Queryable, Session, Transaction } from './types.ts'

class DryRunRollback extends Error {
  readonly counts: PageCounts
  constructor(counts: PageCounts) {
    super('dry run: rolled back')
    this.counts = counts
  }
}

/**
 * Commits one page — rows, rejects, keys seen, the new cursor, the page's timings and the run's
 * totals — in ONE transaction (docs/design.md §3.1). A crash before COMMIT leaves nothing of the page;
 * after it, everything. A dry run does the same work and rolls it back, so its counts are real.
 */
export async function commitBatch(
  session: Session,
  target: CommitTarget,
  page: CommitBatch,
  pageNo: number,
  cursor: unknown,
  fetchMs: number,
): Promise<PageCounts> {
  const started = performance.now()
  const write = async (tx: Transaction): Promise<PageCounts> => {
    if (target.createTable) await ensureStreamTable(tx, target.table, target.createTable)
    // a dry run's history table exists only in its transaction (a real run's is made as it starts)
    if (target.history && target.dryRun) await ensureHistoryTable(tx, target.table, target.stream.cursorField)
    // the table's new shape and the rows written in it commit together, or neither does
    for (const change of page.schemaChanges) await applySchemaChange(tx, target, change)
    // the shapes the rows' slim `_raw`s name commit with them
    if (page.shapes?.length) await saveRecordShapes(tx, page.shapes)
    const rejects: RejectRow[] = [...page.rejects]
    let merged: MergeCounts = noMerge()
    let unchanged = 0
    const { stream } = target
    const table: StreamTable = { ...target.table, columns: page.columns }
    const replacing = stream.write === 'replace' && stream.replaceScope !== undefined && page.replaceScopes.length > 0
    const { rows } = page
    // versions are written beside the rows they record, in this transaction (docs/design.md §4)
    const history = target.history ? batchVersionSource(table, page.columns, stream.cursorField, page.shapes) : undefined
    if (target.pass?.startedEmpty && rows.count > 0 && (await copiedStraightIn(tx, table, target.runId, page))) {
      if (history) await versionsOfCopiedRows(tx, table, rows, history)
      merged = { inserted: rows.count - rows.deletedCount, updated: 0, deleted: rows.deletedCount, liveDelta: rows.count - rows.deletedCount, deletedDelta: rows.deletedCount }
    } else if (rows.count > 0 || replacing) {
      await createStage(tx, table)
      if (rows.count > 0) {
        await copyToStage(tx, table, rows)
        const failures: { index: number; reason: string }[] = []
        const options = { runId: target.runId, rule: target.writeRule, cursorField: stream.cursorField, history }
        merged = await mergeBisecting(tx, table, options, 0, rows.count - 1, failures)
        for (const { index, reason } of failures) {
          rejects.push({ key: rows.keys[index], reason: `the warehouse refused the row: ${reason}`, raw: rawOfLine(rows, index, table.columns, page.shapes) })
        }
        unchanged = rows.count - failures.length - merged.inserted - merged.updated - merged.deleted
      }
      if (replacing) {
        const replaced = await softDeleteReplaced(tx, table, stream.replaceScope as string, page.replaceScopes, target.runId)
        if (history && replaced > 0) await writeVersionsOfScopes(tx, history.source, stream.replaceScope as string, page.replaceScopes)
        merged.deleted += replaced
        merged.liveDelta -= replaced
        merged.deletedDelta += replaced
      }
      if (target.pass?.tracksKeys) await insertPassKeysFromStage(tx, table, target.pass.passId)
    }
    if (target.pass?.tracksKeys) await insertPassKeys(tx, target.pass.passId, rejects.flatMap((r) => (r.key ? [r.key] : [])))
    await insertRejects(tx, target.runId, target.source, stream.name, rejects)
    // `crmsync rejects retry`: the retried rejects leave crmsync.rejects with their rows (those that
    // failed again after they were rebuilt are among `rejects`, as new ones); the rest keep today's reason
    if (page.retriedRejects) {
      await deleteRejects(tx, page.retriedRejects.stored)
      await updateRejectReasons(tx, page.retriedRejects.refused)
    }
    // a reprocess resumes after the last key of its last committed batch, saved with that batch
    if (target.reprocessCheckpoint && !target.dryRun && cursor !== undefined) await saveReprocessAfter(tx, target.source, stream.name, cursor as string[])
    // the cursor is written once per commit, here: to the stream's state (where the next run
    // starts) and the run's page (what history shows; a run's last cursor is its last page's)
    if (target.saveCursor && !target.dryRun && cursor !== undefined) await saveCursor(tx, target.source, stream.name, cursor)
    if (merged.liveDelta || merged.deletedDelta) await addRowCounts(tx, target.source, stream.name, merged.liveDelta, merged.deletedDelta)
    const counts: PageCounts = {
      fetched: page.fetched,
      inserted: merged.inserted,
      updated: merged.updated,
      unchanged,
      rejected: rejects.length + (page.retriedRejects?.refused.length ?? 0),
      coerced: page.coerced,
      deleted: merged.deleted,
      fetchMs: Math.round(fetchMs),
      writeMs: Math.round(performance.now() - started),
    }
    if (target.runId !== null) {
      await insertRunPage(tx, target.runId, pageNo, counts, target.saveCursor ? cursor : undefined)
      await addPageToRun(tx, target.runId, counts)
    }
    if (target.dryRun) throw new DryRunRollback(counts)
    return counts
  }
  let counts: PageCounts
  try {
    counts = await session.transaction(write)
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error
    counts = error.counts
  }
  // done with: the rows' memory goes to the batches being prepared (a failed commit's is collected)
  page.rows.release()
  return counts
}

/** One change of the table's shape, and its record (docs/design.md §3.12). */
async function applySchemaChange(tx: Transaction, target: CommitTarget, change: SchemaChange): Promise<void> {
  const { source, runId } = target
  const stream = target.stream.name
  if (change.change === 'added') await addColumn(tx, target.table, { name: change.column, type: { sql: change.toType as string, base: change.toType as never } })
  // a pinned type may lose the text slim records are rebuilt from; evolution only widens, losslessly (numeric, text)
  if (change.change === 'widened' && change.origin === 'pinned' && !change.initial) await makeRecordsWhole(tx, target.table)
  if (change.change === 'widened') await retypeColumn(tx, target.table, change.column, change.toType as never)
  // the history keeps the table's columns: a version written with this batch carries the new one
  if (target.history && change.change === 'added') await addHistoryColumn(tx, target.table, { name: change.column, sqlType: change.toType as string })
  if (target.history && change.change === 'widened') await retypeHistoryColumn(tx, target.table, { name: change.column, sqlType: change.toType as string })
  const sqlType = (change.toType ?? change.fromType) as string
  await upsertStreamColumn(tx, { source, stream, name: change.column, sqlType, origin: change.origin, runId, dropped: change.change === 'dropped_at_source' })
  // a new table's first columns are its shape, not a change of it
  if (change.initial) return
  await insertSchemaChange(tx, { source, stream, column: change.column, change: change.change, fromType: change.fromType, toType: change.toType, runId })
}

/** The fast path of a first load (see copyIntoTable); false when it must take the regular path. */
async function copiedStraightIn(tx: Transaction, table: StreamTable, runId: number | null, page: CommitBatch): Promise<boolean> {
  await tx.query('SAVEPOINT crmsync_copy')
  try {
    await copyIntoTable(tx, table, page.rows, runId)
    await tx.query('RELEASE SAVEPOINT crmsync_copy')
    return true
  } catch (error) {
    await tx.query('ROLLBACK TO SAVEPOINT crmsync_copy')
    await tx.query('RELEASE SAVEPOINT crmsync_copy')
    if (!isRowError(error)) throw error
    return false
  }
}

/**
 * The first load's rows went straight into the table, past the stage: they are staged after all
 * (history streams only) so their versions are written by the one statement every write uses.
 */
async function versionsOfCopiedRows(tx: Transaction, table: StreamTable, rows: CommitBatch['rows'], history: BatchHistory): Promise<void> {
  await createStage(tx, table)
  await copyToStage(tx, table, rows)
  await writeVersionsFromStage(tx, history.source, history.keyTypes, 0, rows.count - 1)
}

type BatchHistory = { source: VersionSource; keyTypes: ReadonlyMap<string, string> }

const noMerge = (): MergeCounts => ({ inserted: 0, updated: 0, deleted: 0, liveDelta: 0, deletedDelta: 0 })

// data exceptions (22xxx) and integrity violations (23xxx) belong to one row; anything else is the warehouse's
const isRowError = (error: unknown) => /^2[23]/.test(String((error as { code?: string })?.code ?? ''))

async function mergeBisecting(
  tx: Queryable,
  table: StreamTable,
  options: { runId: number | null; rule: WriteRule; cursorField?: string; history?: BatchHistory },
  from: number,
  to: number,
  failures: { index: number; reason: string }[],
): Promise<MergeCounts> {
  await tx.query('SAVEPOINT crmsync_merge')
  try {
    const counts = await mergeStage(tx, table, options, from, to)
    // in the range's savepoint: a range rolled back to be bisected takes its versions with it. A
    // reprocess is no new version of a record (the source did not change): it amends the current one
    const versions = options.rule === 'reprocess' ? updateCurrentVersions : writeVersionsFromStage
    if (options.history) await versions(tx, options.history.source, options.history.keyTypes, from, to)
    await tx.query('RELEASE SAVEPOINT crmsync_merge')
    return counts
  } catch (error) {
    await tx.query('ROLLBACK TO SAVEPOINT crmsync_merge')
    await tx.query('RELEASE SAVEPOINT crmsync_merge')
    if (!isRowError(error)) throw error
    if (from === to) {
      failures.push({ index: from, reason: (error as Error).message })
      return noMerge()
    }
    const middle = Math.floor((from + to) / 2)
    const left = await mergeBisecting(tx, table, options, from, middle, failures)
    const right = await mergeBisecting(tx, table, options, middle + 1, to, failures)
    return {
      inserted: left.inserted + right.inserted,
      updated: left.updated + right.updated,
      deleted: left.deleted + right.deleted,
      liveDelta: left.liveDelta + right.liveDelta,
      deletedDelta: left.deletedDelta + right.deletedDelta,
    }
  }
}

