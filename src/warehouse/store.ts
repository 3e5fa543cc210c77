import type { Column } from '../columns.ts'
import type { Logger } from '../log.ts'
import type { PlainRecord } from '../connectors/types.ts'
import type { RecordShape } from '../record-shape.ts'
import type { WriteRule } from './merge.ts'
import type { DbReject, RejectFilter, RejectRow } from './sql/rejects.ts'
import type { LiveRow, LiveRowsPage } from './sql/reprocess.ts'
import type { DbRun, NewRun, PageCounts, RunEnd, RunFilter } from './sql/runs.ts'
import type { DbStreamState, FullPass } from './sql/stream-state.ts'
import type { ColumnOrigin, SchemaChangeKind, StoredColumn } from './sql/stream-columns.ts'
import type { SourceIdentity } from './sql/source-identity.ts'
import type { RunLogLine } from './sql/run-logs.ts'
import type { StagedRows } from './staged-rows.ts'
import type { StreamTable } from './stream-table.ts'
import type { Queryable, Session } from './types.ts'

/**
 * The store: everything the engine asks of the warehouse, and the only module of src/warehouse/ the
 * engine imports (types only). Like a kysely Dialect, it is a narrow seam: the engine decides (what
 * to read, when a pass ends, what a run's status is), the store keeps (rows, cursors, runs, passes).
 * Row encoding, COPY, merging and the one-transaction commit of a batch live behind it, so the
 * engine never sees SQL or the COPY text format. A warehouse carries its store (`Warehouse.store`);
 * every method takes the connection it runs on, so a session's stream lock and a wrapped warehouse
 * (a test's dying one) work unchanged.
 */
export type { DbRun, DbStreamState, FullPass, NewRun, PageCounts, RejectRow, RunEnd, RunFilter, StagedRows, StoredColumn, StreamTable, WriteRule }
export type { DbReject, LiveRow, LiveRowsPage, RejectFilter }
export type { ColumnOrigin, RunLogLine, SchemaChangeKind, SourceIdentity }
export type { Queryable, Session, Transaction, Warehouse } from './types.ts'

/** A change of a stream table's shape, planned by the engine and applied by the commit of its batch. */
export interface SchemaChange {
  column: string
  change: SchemaChangeKind
  fromType: string | null
  toType: string | null
  origin: ColumnOrigin
  /** part of the shape of a table this run created: applied and registered, but no change to report */
  initial?: boolean
}

/** Collects a batch's rows, encoded for the store as they are added; a key added again replaces its row. */
export interface RowBuilder {
  /** `hash`: the record's 16-byte digest as hex */
  add(key: string, deleted: boolean, values: readonly unknown[], raw: string, hash: string, deletedAt: string | null, meta: string | null): void
  /**
   * a byte-lane record (not deleted, no `_meta`), written from its bytes; `digest`: its SHA-256 as
   * latin1 text, a character a byte (a Buffer costs twice the hash itself to allocate), whose first 16 are `_hash`
   */
  addPlain(record: PlainRecord, digest: string): void
  /** the characters of the rows encoded so far (a key added again counts twice): how large the batch has grown */
  readonly size: number
  done(): StagedRows
}

/** One commit batch: the prepared rows of one or more pages, with what else commits with them. */
export interface CommitBatch {
  rows: StagedRows
  rejects: RejectRow[]
  /** records the source sent in this batch, valid or not */
  fetched: number
  /** records stored with a field nulled because it did not fit its column (noted in `_meta`) */
  coerced: number
  /** write mode `replace`: the parents whose children this batch lists completely */
  replaceScopes: readonly string[]
  /** the table's columns the rows are encoded for */
  columns: readonly Column[]
  /** changes to the table's shape this batch applies before its rows, in its transaction */
  schemaChanges: readonly SchemaChange[]
  /** the shapes its rows' slim `_raw`s name (src/record-shape.ts), kept in its transaction */
  shapes?: readonly RecordShape[]
  /**
   * `crmsync rejects retry`: the rejects whose records this batch stores (removed from
   * crmsync.rejects in its transaction) and those today's processors still refuse (given the new reason)
   */
  retriedRejects?: { stored: readonly number[]; refused: readonly { id: number; reason: string }[] }
}

/** Where a batch commits, and how. */
export interface CommitTarget {
  source: string
  stream: { readonly name: string; readonly write: string; readonly replaceScope?: string; readonly cursorField?: string }
  table: StreamTable
  runId: number | null
  /** how the batch's rows meet the table's */
  writeRule: WriteRule
  pass: FullPass | null
  /** the stream keeps every version of its rows in `<table>__history` (config `history: true`), written in the batch's transaction */
  history: boolean
  /** false for backfills, which leave the stored cursor alone */
  saveCursor: boolean
  dryRun: boolean
  /** the dry run creates the table inside the batch's transaction (rolled back with it); logged here */
  createTable?: Logger
  /** a reprocess: the batch's cursor is the key of its last row, saved as where an interrupted reprocess resumes */
  reprocessCheckpoint?: boolean
}

/** The store's operations; `db` is the warehouse, a run's session or a transaction of it. */
export interface Store {
  // stream locks, held on the run's session
  tryStreamLock(db: Session, source: string, stream: string): Promise<boolean>
  unlockStream(db: Session, source: string, stream: string): Promise<void>

  // the run's history row (sync_runs)
  insertRun(db: Queryable, run: NewRun): Promise<number>
  /** true when a stop was requested for the run */
  heartbeatRun(db: Queryable, runId: number): Promise<boolean>
  requestStop(db: Queryable, runId: number): Promise<unknown>
  finishRun(db: Queryable, runId: number, end: RunEnd): Promise<boolean>
  recordRunOutcome(db: Queryable, source: string, stream: string, runId: number, succeeded: boolean): Promise<void>
  markAbandonedRuns(db: Queryable, source: string, stream: string): Promise<DbRun[]>
  lastRunStoppedEarly(db: Queryable, source: string, stream: string): Promise<boolean>
  listRuns(db: Queryable, filter: RunFilter): Promise<DbRun[]>
  /** keeps lines of the run's own log (crmsync.run_logs) */
  appendRunLogs(db: Queryable, runId: number, lines: readonly RunLogLine[]): Promise<void>

  // which source's data the source's schema holds (its endpoint, database, account)
  loadSourceIdentity(db: Queryable, source: string): Promise<SourceIdentity | undefined>
  saveSourceIdentity(db: Queryable, source: string, identity: SourceIdentity): Promise<void>

  // the stream's state (cursor, full pass, row counts)
  listStreamStates(db: Queryable): Promise<DbStreamState[]>
  loadStreamState(db: Queryable, source: string, stream: string): Promise<DbStreamState | undefined>
  initRowCounts(db: Queryable, source: string, stream: string): Promise<void>

  // the stream's table and its columns
  tableExists(db: Queryable, source: string, stream: string): Promise<boolean>
  ensureStreamTable(db: Queryable, table: StreamTable, log: Logger): Promise<{ created: boolean }>
  registerDeclaredColumns(db: Queryable, source: string, stream: string, columns: readonly { name: string; sqlType: string }[]): Promise<void>
  listStoredColumns(db: Queryable, source: string, stream: string): Promise<StoredColumn[]>
  /**
   * History mode: creates the stream's `__history` table with one current version per row the
   * table holds, or adds the columns the table grew since; call it in a transaction.
   */
  ensureHistoryTable(db: Queryable, table: StreamTable, cursorField: string | undefined, catchUp?: boolean): Promise<{ created: boolean; seeded: number }>
  /** whether the stream's run keeps its history: a run with history on after runs without catches up (ensureHistoryTable) */
  setHistoryKept(db: Queryable, source: string, stream: string, kept: boolean): Promise<void>

  // reprocess and rejects retry (docs/design.md §3.14)
  /** the table's next live rows in primary-key order (keyset), with their records (`_raw`, rebuilt when slim) */
  readLiveRows(db: Queryable, table: StreamTable, page: LiveRowsPage): Promise<LiveRow[]>
  /** every shape slim rows may name (src/record-shape.ts) */
  listRecordShapes(db: Queryable): Promise<RecordShape[]>
  /** where an unfinished reprocess resumes; null clears it (a reprocess completed) */
  saveReprocessAfter(db: Queryable, source: string, stream: string, after: readonly string[] | null): Promise<void>
  /** the streams holding rejects that match the filter, with how many each */
  rejectStreams(db: Queryable, filter: RejectFilter): Promise<{ source: string; stream: string; rejects: number }[]>
  /** the next rejects of one stream, oldest first, after id `afterId` */
  rejectsToRetry(db: Queryable, source: string, stream: string, runId: number | null, afterId: number, limit: number): Promise<DbReject[]>

  // rows
  /** a builder for one batch's rows, each encoded as it is added (COPY text, kept as bytes) */
  stageRows(): RowBuilder
  /** a compound key as one text (a key of one column is its value as text) */
  keyText(parts: readonly unknown[]): string
  /**
   * Commits one batch — schema changes, rows (merged, bisecting out the rows PostgreSQL refuses),
   * rejects, keys seen, the cursor (stream_state and run_pages.cursor; a run's last cursor is read from its pages), row
   * counts, the run's page and totals — in ONE transaction (docs/design.md §3.1). A dry run does
   * the same work and rolls it back, so its counts are real. Once it returns, the batch's rows are
   * released (`StagedRows.release`) and must not be read.
   */
  commitBatch(session: Session, target: CommitTarget, batch: CommitBatch, pageNo: number, cursor: unknown, fetchMs: number): Promise<PageCounts>

  // full passes (the engine decides; these are the statements it decides with, in its transaction)
  hasLiveRows(db: Queryable, table: StreamTable): Promise<boolean>
  hasAnyRows(db: Queryable, table: StreamTable): Promise<boolean>
  countLiveRows(db: Queryable, table: StreamTable): Promise<number>
  countUnseen(db: Queryable, table: StreamTable, passId: string): Promise<number>
  /** soft-deletes the live rows the pass did not see, and counts them on the run and the stream */
  softDeleteUnseen(db: Queryable, ids: { source: string; stream: string; runId: number | null; history?: boolean }, table: StreamTable, passId: string): Promise<number>
  dropPassKeys(db: Queryable, passId: string): Promise<void>
  setFullPass(db: Queryable, source: string, stream: string, pass: FullPass | null): Promise<void>
  completeFullPass(db: Queryable, source: string, stream: string): Promise<void>
}
