import { randomUUID } from 'node:crypto'
import type { FullPass, Queryable, Session, Store, StreamTable } from '../warehouse/store.ts'

/**
 * Opens a full pass. When the table has no live rows, nothing can need deleting at the end, so
 * the pass keeps no keys (the first load of a big table pays nothing for delete detection).
 */
export async function startFullPass(
  store: Store,
  session: Session,
  ids: { source: string; stream: string; runId: number | null },
  table: StreamTable,
  mode: 'full' | 'force',
  detectDeletes: boolean,
  previous: FullPass | null,
  dryRun: boolean,
): Promise<FullPass> {
  const pass = await newFullPass(store, session, ids.runId, table, mode, detectDeletes)
  if (dryRun) return { ...pass, tracksKeys: false }
  await session.transaction(async (tx) => {
    if (previous) await store.dropPassKeys(tx, previous.passId)
    await store.setFullPass(tx, ids.source, ids.stream, pass)
  })
  return pass
}

/** A pass as the table stands (read inside the caller's transaction, when it has one). */
async function newFullPass(store: Store, db: Queryable, runId: number | null, table: StreamTable, mode: 'full' | 'force', detectDeletes: boolean): Promise<FullPass> {
  return {
    passId: randomUUID(),
    mode,
    runId,
    startedAt: new Date().toISOString(),
    tracksKeys: detectDeletes && (await store.hasLiveRows(db, table)),
    startedEmpty: !(await store.hasAnyRows(db, table)),
  }
}

export interface PassEnd {
  deleted: number
  /** set when the deletions were refused by the safety threshold */
  refused?: string
  /** the pass opened for the whole read the ended one still owed (see `wholeReadNext`) */
  next?: FullPass
}

/**
 * Ends a COMPLETE full pass (docs/design.md §3.5): live rows it did not see are soft-deleted, never
 * deleted. A pass that would delete more than `maxDeleteFraction` of the table deletes nothing
 * unless it is a `--force` pass: an empty answer from a misconfigured source must not look like
 * "everything was deleted".
 *
 * `wholeReadNext`: the pass was resumed, and its run still owes the stream one whole read, the only
 * read that can tell a row seen before the pause is gone. Its pass opens in this same transaction,
 * instead of the ended one being recorded complete: a process killed between two transactions
 * would leave the stream looking fully passed, its cursor at the end, and the next run would read
 * incrementally with the rows deleted during the pause still live (chaos scenario 144).
 */
export async function finishFullPass(
  store: Store,
  session: Session,
  ids: { source: string; stream: string; runId: number | null },
  table: StreamTable,
  pass: FullPass,
  maxDeleteFraction: number,
  wholeReadNext?: { detectDeletes: boolean },
): Promise<PassEnd> {
  return session.transaction(async (tx) => {
    let end: PassEnd = { deleted: 0 }
    if (pass.tracksKeys) {
      const unseen = await store.countUnseen(tx, table, pass.passId)
      const live = await store.countLiveRows(tx, table)
      if (unseen > 0 && pass.mode !== 'force' && unseen > live * maxDeleteFraction) {
        end = {
          deleted: 0,
          refused: `the full pass did not see ${unseen} of ${live} live rows; deleting more than ${Math.round(maxDeleteFraction * 100)}% at once looks like a source problem, so nothing was deleted (run with --force to accept the deletions)`,
        }
      } else if (unseen > 0) {
        // counted on the run and the stream's row counts too, by the same store call
        end = { deleted: await store.softDeleteUnseen(tx, ids, table, pass.passId) }
      }
      await store.dropPassKeys(tx, pass.passId)
    }
    // a refused pass ends its run's reads (run-stream.ts): no whole read follows it
    if (wholeReadNext && !end.refused) {
      end.next = await newFullPass(store, tx, ids.runId, table, pass.mode, wholeReadNext.detectDeletes)
      await store.setFullPass(tx, ids.source, ids.stream, end.next)
    } else await store.completeFullPass(tx, ids.source, ids.stream)
    return end
  })
}
