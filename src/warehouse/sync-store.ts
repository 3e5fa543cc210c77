import { commitBatch } from './commit-batch.ts'
import { writeVersionsOfUnseen } from './history.ts'
import { ensureHistoryTable, storedVersionSource } from './history-table.ts'
import { countLiveRows, countUnseen, dropPassKeys, encodeRowLine, hasAnyRows, plainLineBytes, writePlainLine, hasLiveRows, keyText, softDeleteUnseen } from './merge.ts'
import { tryStreamLock, unlockStream } from './sql/locks.ts'
import { addDeletedToRun, finishRun, heartbeatRun, insertRun, lastRunStoppedEarly, listRuns, markAbandonedRuns, requestStop } from './sql/runs.ts'
import { addRowCounts, setHistoryKept, completeFullPass, initRowCounts, listStreamStates, loadStreamState, recordRunOutcome, setFullPass } from './sql/stream-state.ts'
import { listStoredColumns, registerDeclaredColumns } from './sql/stream-columns.ts'
import { rejectStreams, rejectsToRetry } from './sql/rejects.ts'
import { readLiveRows, saveReprocessAfter } from './sql/reprocess.ts'
import { listRecordShapes } from './sql/record-shapes.ts'
import { appendRunLogs } from './sql/run-logs.ts'
import { loadSourceIdentity, saveSourceIdentity } from './sql/source-identity.ts'
import { createStagedRows } from './staged-rows.ts'
import type { RowBuilder, Store } from './store.ts'
import { ensureStreamTable, listTableColumns } from './stream-table.ts'

/** A batch's rows, each encoded as COPY text the moment it is added (the engine never sees the format). */
function stageRows(): RowBuilder {
  const staged = createStagedRows()
  let size = 0
  return {
    add(key, deleted, values, raw, hash, deletedAt, meta) {
      const line = encodeRowLine(values, raw, hash, deletedAt, meta)
      size += line.length
      staged.add(key, deleted, line)
    },
    addPlain(record, digest) {
      const bytes = plainLineBytes(record)
      size += bytes
      staged.addBytes(record.key, false, bytes, (target, at) => writePlainLine(record, digest, target, at))
    },
    get size() {
      return size
    },
    done: () => staged.done(),
  }
}

/** The store of a PostgreSQL warehouse, server or PGlite alike (the SQL is the same on both). */
export const syncStore: Store = {
  tryStreamLock,
  unlockStream,
  insertRun,
  heartbeatRun,
  requestStop,
  finishRun,
  recordRunOutcome,
  markAbandonedRuns,
  lastRunStoppedEarly,
  listRuns,
  appendRunLogs,
  listStreamStates,
  loadStreamState,
  initRowCounts,
  tableExists: async (db, source, stream) => (await listTableColumns(db, source, stream)).size > 0,
  ensureStreamTable,
  registerDeclaredColumns,
  listStoredColumns,
  loadSourceIdentity,
  saveSourceIdentity,
  readLiveRows,
  listRecordShapes,
  saveReprocessAfter,
  rejectStreams,
  rejectsToRetry,
  ensureHistoryTable,
  setHistoryKept,
  stageRows,
  keyText,
  commitBatch,
  hasLiveRows,
  hasAnyRows,
  countLiveRows,
  countUnseen,
  async softDeleteUnseen(db, ids, table, passId) {
    const deleted = await softDeleteUnseen(db, table, passId, ids.runId)
    // the deleted rows' versions, in the transaction that deletes them
    if (ids.history && deleted > 0) await writeVersionsOfUnseen(db, await storedVersionSource(db, table), passId)
    if (ids.runId !== null) await addDeletedToRun(db, ids.runId, deleted)
    await addRowCounts(db, ids.source, ids.stream, -deleted, deleted)
    return deleted
  },
  dropPassKeys,
  setFullPass,
  completeFullPass,
}
