import { hash } from 'node:crypto'
import type { z } from 'zod'
import type { Column } from '../columns.ts'
import { processValue, ValueError, type FieldChange } from '../connectors/processors.ts'
import type { LanePlan, Page, PlainRecord, RejectedRecord, SourceRecord, Stream } from '../connectors/types.ts'
import type { RecordShape } from '../record-shape.ts'
import type { CommitBatch, RejectRow, RowBuilder, Store } from '../warehouse/store.ts'
import type { SchemaChange, TableShape } from './table-shape.ts'

/** A prepared batch, as the store commits it. */
export type PreparedPage = CommitBatch

/**
 * A batch also ends at this many characters of encoded rows (~8 MB): a large `commitRows` pays
 * each transaction's fixed cost (ten round trips, a WAL flush) less often, and this bounds what
 * one batch holds whatever its rows' width. Two batches per stream are in memory at once (one
 * committing, one being prepared), and a source's streams run side by side.
 */
const COMMIT_SIZE = 8 * 1024 * 1024

/** How a batch reads its records: the table's shape, the zone of timestamps without one, and the store that encodes its rows. */
export interface PrepareOptions {
  shape: TableShape
  timeZone: string
  store: Pick<Store, 'stageRows' | 'keyText'>
}

// rows between turns given back to the event loop (~1 ms of work): the previous batch's COPY and
// its statements wait for a turn, and PostgreSQL idles meanwhile (256 left it idle ~15% longer)
const YIELD_EVERY = 64

// JSON.stringify writes a NUL character as the escape \u0000, and every value comes from the record;
// most records hold no escape at all, and a search for one character is the cheaper look
const hasNul = (rawJson: string) => rawJson.includes('\\') && rawJson.includes('\\u0000')

/** The first problem of a failed validation, in one line a person can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`)
    .join('; ')
}

/** A commit batch: the prepared rows of one or more pages, and where the last of them ends. */
export interface PreparedBatch<K = unknown> {
  prepared: PreparedPage
  /** the cursor of the batch's last page that moved it; undefined when none did */
  cursor: K | undefined
  /** the source's bytes read up to the batch's last page (`Page.bytesRead`), when it counts them */
  bytesRead?: number
}

/**
 * Turns a stream's pages into commit batches of at least `commitRows` records (or what is left at
 * the end), or of COMMIT_SIZE of encoded rows when that comes first. Each page is validated and
 * encoded the moment it arrives, so its records can be collected while they are young: a
 * connector that yields small pages keeps few objects alive, however large the batches it is
 * committed in (measured on SalesPro: 500-row pages cut the sync's garbage-collection time by
 * three quarters against 5,000-row pages). Committing several
 * pages together with the last one's cursor is the same as committing one larger page.
 */
export async function* prepareBatches<K>(stream: Stream<K>, pages: AsyncIterable<Page<K>>, commitRows: number, options: PrepareOptions): AsyncGenerator<PreparedBatch<K>> {
  const { shape } = options
  let batch = startBatch(options)
  let cursor: K | undefined
  let bytesRead: number | undefined
  for await (const page of pages) {
    const processed = shape.processed
    const changes = shape.plan(page.schema)
    if (changes.length) {
      // a batch is encoded for one set of columns: what came before the change commits first
      if (batch.fetched > 0) {
        yield { prepared: finishBatch(batch), cursor, bytesRead }
        cursor = undefined
        batch = startBatch(options, changes)
      } else batch = startBatch(options, [...batch.schemaChanges, ...changes])
    } else if (shape.processed !== processed) {
      // the same columns, a column's values read from the field this page names for it; the records
      // before it did not name it, so none held a value there (SalesRabbit infers fields from values)
      batch.sources = sourcesOf(shape)
    }
    await preparePage(stream, page, batch)
    if (page.cursor !== undefined) cursor = page.cursor
    if (page.bytesRead !== undefined) bytesRead = page.bytesRead
    const empty = pageSize(page) === 0
    // an empty page that only shows the source's shape, unchanged, has nothing to commit
    if (empty && page.cursor === undefined && batch.fetched === 0 && batch.schemaChanges.length === 0) continue
    // an empty page that moves the cursor (a window with no changes) commits at once, as it always did
    if (batch.fetched >= commitRows || batch.staged.size >= COMMIT_SIZE || empty) {
      yield { prepared: finishBatch(batch), cursor, bytesRead }
      batch = startBatch(options)
      cursor = undefined
    }
  }
  // a shape change seen on a last page without records still commits (a dropped field, say)
  if (batch.fetched > 0 || batch.schemaChanges.length > 0) yield { prepared: finishBatch(batch), cursor, bytesRead }
}

/** Where each encoded column's value comes from. */
type ValueSource = { name: string } | { name: string; base: Column['type']['base']; from?: string }

interface OpenBatch {
  staged: RowBuilder
  rejects: RejectRow[]
  fetched: number
  coerced: number
  replaceScopes: string[]
  columns: readonly Column[]
  /** where each column's value comes from: the columns are fixed for the batch, a value's field may be learned */
  sources: readonly ValueSource[]
  fingerprint: string
  timeZone: string
  schemaChanges: SchemaChange[]
  keyText: Store['keyText']
  /** the byte lane, made for the batch's columns when its first byte rows arrive */
  lane?: { plan: LanePlan; record: PlainRecord }
  /** rows the lane writes store their `_raw` slim, naming these shapes (by id) */
  slimRaw: boolean
  shapes: Map<string, RecordShape>
}

function sourcesOf(shape: TableShape): ValueSource[] {
  const processed = new Map(shape.processed.map((p) => [p.name, p]))
  return shape.columns.map((c): ValueSource => processed.get(c.name) ?? { name: c.name })
}

function startBatch({ shape, timeZone, store }: PrepareOptions, schemaChanges: SchemaChange[] = []): OpenBatch {
  const staged = store.stageRows()
  return { staged, rejects: [], fetched: 0, coerced: 0, replaceScopes: [], columns: shape.columns, sources: sourcesOf(shape), fingerprint: shape.fingerprint, timeZone, schemaChanges, keyText: store.keyText, slimRaw: shape.slimRaw, shapes: new Map() }
}

const finishBatch = (batch: OpenBatch): PreparedPage => ({
  rows: batch.staged.done(),
  rejects: batch.rejects,
  fetched: batch.fetched,
  coerced: batch.coerced,
  replaceScopes: batch.replaceScopes,
  columns: batch.columns,
  schemaChanges: batch.schemaChanges,
  shapes: [...batch.shapes.values()],
})

/**
 * Validates a page's records against the stream's schema (the validator layer), processes the
 * columns the engine types itself, hashes each source payload and encodes its row into the batch,
 * which keeps only the last version of a key, since one statement cannot upsert the same row twice.
 * A field that does not fit is stored NULL and noted in the row's `_meta` (docs/design.md §3.11);
 * only a record without a usable key or cursor value is rejected.
 */
async function preparePage(stream: Stream, page: Page, batch: OpenBatch): Promise<void> {
  const { rejects } = batch
  for (const r of page.rejects ?? []) rejects.push(rejectRow(r))
  for (const scope of page.replaceScopes ?? []) batch.replaceScopes.push(scope)
  batch.fetched += pageSize(page)
  // hand the event loop back now and then (checked inline: an await per row costs a promise per
  // row): the previous batch's COPY is streaming to PostgreSQL meanwhile, and a loop busy for a
  // whole page would leave that socket unfed
  let sinceYield = 0
  for (const record of page.records) {
    if (++sinceYield === YIELD_EVERY) sinceYield = await nextTurn()
    prepareRecord(stream, record, batch)
  }
  const rows = page.rows
  if (!rows) return
  const lane = laneOf(stream, batch)
  const encoder = lane && rows.encoder(lane.plan)
  if (encoder?.shape) batch.shapes.set(encoder.shape.id, encoder.shape)
  for (let i = 0; i < rows.count; i++) {
    if (++sinceYield === YIELD_EVERY) sinceYield = await nextTurn()
    if (lane && encoder?.encode(i, lane.record)) {
      // the row's bytes are plain and would pass the schema as they are (ByteRows): no record to check
      const { record } = lane
      batch.staged.addPlain(record, hash('sha256', record.raw.subarray(0, record.rawEnd), 'binary'))
      continue
    }
    const outcome = rows.row(i)
    if ('reject' in outcome) rejects.push(rejectRow(outcome.reject))
    else for (const record of outcome.records) prepareRecord(stream, record, batch)
  }
}

/** Gives the event loop a turn; then no rows have been prepared since. */
const nextTurn = () => new Promise<number>((resolve) => setImmediate(resolve, 0))

/** The records a page holds, valid or not, however it holds them. */
export const pageSize = (page: Page) => page.records.length + (page.rejects?.length ?? 0) + (page.rows?.count ?? 0)

const rejectRow = (r: RejectedRecord): RejectRow => ({ key: r.key ?? null, reason: r.reason, raw: r.raw })

/**
 * The batch's byte lane: its plan (the batch's columns) and the record the encoder fills. A lane
 * row is never deleted and has a key of one column.
 */
function laneOf(stream: Stream, batch: OpenBatch): OpenBatch['lane'] {
  if (stream.primaryKey.length !== 1 || stream.deletedAtField) return undefined
  if (batch.lane?.plan.columns === batch.sources) return batch.lane
  const prefix = Buffer.from(batch.fingerprint ? `${batch.fingerprint}\n` : '')
  const raw = Buffer.alloc(Math.max(1024, prefix.length * 2))
  prefix.copy(raw)
  const record: PlainRecord = { source: raw, spans: new Int32Array(3 * batch.sources.length), raw, rawStart: prefix.length, rawEnd: prefix.length, rawEscaped: false, slim: Buffer.alloc(256), slimEnd: 0, slimEscaped: false, key: '' }
  batch.lane = { plan: { columns: batch.sources, keyColumn: stream.primaryKey[0], timeZone: batch.timeZone, slimRaw: batch.slimRaw }, record }
  return batch.lane
}

/** One record validated, processed, hashed and encoded into the batch, or rejected. */
function prepareRecord(stream: Stream, record: SourceRecord, batch: OpenBatch): void {
  const { staged, rejects, sources } = batch
  const key = readKey(stream, record.values, batch.keyText)
  const checked = validate(stream, record)
  if ('reject' in checked) {
    rejects.push({ key, reason: checked.reject, raw: record.raw })
    return
  }
  const raw = JSON.stringify(record.raw ?? null)
  if (hasNul(raw)) {
    rejects.push({ key, reason: 'contains a NUL character (\\u0000), which PostgreSQL cannot store', raw: record.raw })
    return
  }
  const changes = checked.changes
  const values = new Array<unknown>(sources.length)
  for (let i = 0; i < sources.length; i++) {
    const source = sources[i]
    if (!('base' in source)) {
      values[i] = checked.values[source.name] ?? null
      continue
    }
    const value = source.from === undefined ? checked.values[source.name] : record.fields?.[source.from]
    try {
      values[i] = processValue(source.base, value, { zone: batch.timeZone })
    } catch (error) {
      if (!(error instanceof ValueError)) throw error
      values[i] = null
      changes.push({ field: source.name, change: 'nulled', reason: error.message })
    }
  }
  const meta = changes.length ? JSON.stringify({ changes }) : null
  if (meta) batch.coerced++
  // the shape is part of what was written: a row read again after its table changed shape is written again
  // the first 16 bytes of the digest, as hex: `_hash` is bytea (the whole digest tells no more)
  const hashed = hash('sha256', batch.fingerprint ? `${batch.fingerprint}\n${raw}` : raw, 'hex').slice(0, 32)
  const deletedAt = stream.deletedAtField ? ((checked.values[stream.deletedAtField] as string | null) ?? null) : null
  staged.add(key as string, deletedAt !== null, values, raw, hashed, deletedAt, meta)
}

/**
 * The record's values checked against the stream's schema. A declared field that fails is NULL
 * with a change noted, unless it is the key or the cursor: without those the row has no place.
 */
function validate(stream: Stream, record: SourceRecord): { values: Record<string, unknown>; changes: FieldChange[] } | { reject: string } {
  const changes: FieldChange[] = record.changes ? [...record.changes] : []
  const parsed = stream.recordSchema.safeParse(record.values)
  if (parsed.success) return { values: record.values, changes }
  const values = { ...record.values }
  for (const issue of parsed.error.issues) {
    const field = issue.path[0]
    if (typeof field !== 'string' || stream.primaryKey.includes(field) || field === stream.cursorField) return { reject: describeIssues(parsed.error) }
    if (values[field] === null) continue
    values[field] = null
    changes.push({ field, change: 'nulled', reason: issue.message })
  }
  // a field that cannot be NULL either (a required one) leaves nothing to store
  const again = stream.recordSchema.safeParse(values)
  return again.success ? { values, changes } : { reject: describeIssues(again.error) }
}

function readKey(stream: Stream, values: Record<string, unknown>, keyText: Store['keyText']): string | null {
  if (stream.primaryKey.length === 1) {
    const value = values[stream.primaryKey[0]]
    return value === null || value === undefined || value === '' ? null : String(value)
  }
  const parts = stream.primaryKey.map((k) => values[k])
  return parts.some((p) => p === null || p === undefined || p === '') ? null : keyText(parts)
}

