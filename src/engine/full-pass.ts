import { randomUUID } from 'node:crypto'
import { countLiveRows, countUnseen, dropPassKeys, hasAnyRows, hasLiveRows, softDeleteUnseen } from '../warehouse/merge.ts'
import { addDeletedToRun } from '../warehouse/sql/runs.ts'
import { addRowCounts, completeFullPass, setFullPass, type FullPass } from '../warehouse/sql/stream-state.ts'
import type { StreamTable } from '../warehouse/stream-table.ts'
import type { Queryable, Session } from '../warehouse/types.ts'

/**
 * Opens a full pass. When the table has no live rows, nothing can need deleting at the end, so
 * the pass keeps no keys (the first load of a big table pays nothing for delete detection).
 */
export async function startFullPass(
  session: Session,
  ids: { source: string; stream: string; runId: number | null },
  table: StreamTable,
  mode: 'full' | 'force',
  detectDeletes: boolean,
  previous: FullPass | null,
  dryRun: boolean,
): Promise<FullPass> {
  const pass = await newFullPass(session, ids.runId, table, mode, detectDeletes)
  if (dryRun) return { ...pass, tracksKeys: false }
  await session.transaction(async (tx) => {
    if (previous) await dropPassKeys(tx, previous.passId)
    await setFullPass(tx, ids.source, ids.stream, pass)
  })
  return pass
}

/** A pass as the table stands (read inside the caller's transaction, when it has one). */
async function newFullPass(db: Queryable, runId: number | null, table: StreamTable, mode: 'full' | 'force', detectDeletes: boolean): Promise<FullPass> {
  return {
    passId: randomUUID(),
    mode,
    runId,
    startedAt: new Date().toISOString(),
    tracksKeys: detectDeletes && (await hasLiveRows(db, table)),
    startedEmpty: !(await hasAnyRows(db, table)),
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
      const unseen = await countUnseen(tx, table, pass.passId)
      const live = await countLiveRows(tx, table)
      if (unseen > 0 && pass.mode !== 'force' && unseen > live * maxDeleteFraction) {
        end = {
          deleted: 0,
          refused: `the full pass did not see ${unseen} of ${live} live rows; deleting more than ${Math.round(maxDeleteFraction * 100)}% at once looks like a source problem, so nothing was deleted (run with --force to accept the deletions)`,
        }
      } else if (unseen > 0) {
        end = { deleted: await softDeleteUnseen(tx, table, pass.passId, ids.runId) }
        if (ids.runId !== null) await addDeletedToRun(tx, ids.runId, end.deleted)
        await addRowCounts(tx, ids.source, ids.stream, -end.deleted, end.deleted)
      }
      await dropPassKeys(tx, pass.passId)
    }
    // a refused pass ends its run's reads (run-stream.ts): no whole read follows it
    if (wholeReadNext && !end.refused) {
      end.next = await newFullPass(tx, ids.runId, table, pass.mode, wholeReadNext.detectDeletes)
      await setFullPass(tx, ids.source, ids.stream, end.next)
    } else await completeFullPass(tx, ids.source, ids.stream)
    return end
  })
}
