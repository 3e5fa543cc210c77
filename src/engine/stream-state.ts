import type { Stream } from '../connectors/types.ts'
import type { Logger } from '../log.ts'
import type { DbStreamState, Session, Store, StreamTable, Warehouse } from '../warehouse/store.ts'

/**
 * The stream's state as a run starts: its table (created when missing), its stored cursor and any
 * full pass left unfinished. Later the state moves only through the store, in the transactions
 * that commit it: the cursor with each batch (commitBatch writes it to stream_state and to the run's
 * page, in one call), the pass as it opens and ends (full-pass.ts).
 */
export interface StreamStart {
  /** the table did not exist before this run (a dry run only pretends to create it) */
  created: boolean
  tableExists: boolean
  state: DbStreamState | undefined
  /** the stored cursor, when it is still valid for the stream */
  storedCursor: unknown
}

export async function openStreamState(
  warehouse: Warehouse,
  session: Session,
  stream: Stream,
  table: StreamTable,
  { dryRun, history }: { dryRun: boolean; history: boolean },
  log: Logger,
): Promise<StreamStart> {
  const { store } = warehouse
  const source = table.schema
  const created = dryRun ? !(await store.tableExists(session, source, stream.name)) : (await store.ensureStreamTable(session, table, log)).created
  const tableExists = !dryRun || !created
  if (!dryRun) await store.registerDeclaredColumns(session, source, stream.name, table.columns.map((c) => ({ name: c.name, sqlType: c.type.sql })))

  const state = await store.loadStreamState(session, source, stream.name)
  if (tableExists && !dryRun && (state?.live_rows == null || state?.deleted_rows == null)) await store.initRowCounts(session, source, stream.name)
  // a dry run makes its history table in its batch's transaction, rolled back with it
  if (!dryRun) await followHistory(store, session, stream, table, { on: history, kept: state?.history === true }, log)
  let storedCursor: unknown = undefined
  if (state?.cursor !== null && state?.cursor !== undefined) {
    const parsed = stream.cursorSchema.safeParse(state.cursor)
    if (parsed.success) storedCursor = parsed.data
    else log.warn({ cursor: state.cursor }, 'the stored cursor is not valid for this stream any more; starting a full pass')
  }
  return { created, tableExists, state, storedCursor }
}

/**
 * History mode for a run that writes stored records without reading the source (a reprocess, a
 * retry of rejects): the history table brought up to date as a sync's start does; true when the
 * run's batches keep versions.
 */
export async function prepareHistory(store: Store, session: Session, stream: Stream, table: StreamTable, { on, dryRun }: { on: boolean; dryRun: boolean }, log: Logger): Promise<boolean> {
  const state = await store.loadStreamState(session, table.schema, stream.name)
  if (!dryRun) await followHistory(store, session, stream, table, { on, kept: state?.history === true }, log)
  return on
}

/**
 * History mode: the history table follows the table before any batch writes a version — created
 * with a version per row the first time, or, when runs without history wrote the table since it
 * was last kept, given a version for every row those runs changed — and the stream's state
 * records whether this run keeps it, in the same transaction.
 */
async function followHistory(store: Store, session: Session, stream: Stream, table: StreamTable, history: { on: boolean; kept: boolean }, log: Logger): Promise<void> {
  const source = table.schema
  if (!history.on) {
    if (history.kept) await store.setHistoryKept(session, source, stream.name, false)
    return
  }
  const made = await session.transaction(async (tx) => {
    const result = await store.ensureHistoryTable(tx, table, stream.cursorField, !history.kept)
    if (!history.kept) await store.setHistoryKept(tx, source, stream.name, true)
    return result
  })
  const name = `${source}.${stream.name}__history`
  if (made.created) log.info({ table: name, seeded: made.seeded }, `history is on: created ${name}${made.seeded ? `, with one version for each of the ${made.seeded} rows the table holds` : ''}`)
  else if (made.seeded) log.info({ table: name, seeded: made.seeded }, `history is on again: ${made.seeded} rows changed while it was off got their version in ${name}`)
}
