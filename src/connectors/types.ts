/**
 * The connector contract: the only thing the engine knows about a source.
 *
 * Terminology
 * - connector: one source system (salespro, hubspot, salesrabbit): its config and its streams.
 * - stream: one entity of a source (customer, contacts, leads...), landing in one warehouse table
 *   `<connector>.<stream>`.
 * - page: a batch of records plus the cursor to resume from once that batch is committed.
 * - cursor: a stream's own resume point, a small JSON object of exact strings (never a JS Date,
 *   which drops microseconds). The engine stores it in the same transaction as the page's rows.
 * - run: one execution of one stream, recorded in crmsync.sync_runs.
 * - full pass: a read of everything; when it completes, rows it did not see are soft-deleted.
 * - backfill: a read of a `[since, until)` window that leaves the stored cursor alone.
 * - write mode (`WriteMode`, a stream's): merge (upsert by key), append (insert new keys only,
 *   never update), replace (merge, then soft-delete the siblings of each parent in `replaceScopes`
 *   that the page omits).
 * - read kind (`ReadKind`, a read request's `kind`): full, incremental or backfill.
 * - run mode (`RunMode`, engine/strategy.ts, `sync_runs.mode`): incremental, full, force or
 *   backfill; a forced run asks for a `full` read. `LaunchMode` is the part of it the dashboard and
 *   queued jobs may ask for (incremental, full).
 * - write rule (`WriteRule`, the warehouse's merge): merge, force (overwrite), append or reprocess
 *   (rewrite typed columns of stored rows from their `_raw`), chosen by the engine from the
 *   stream's write mode and the run's mode.
 * - page size (`ReadRequest.pageSize`): records per page asked of the source, a hint; commit rows
 *   (the engine's `commitRows`): pages are committed in batches of at least this many (or ~8 MB of
 *   encoded rows, whichever comes first). The config's
 *   `batchSize` and `--batch-size` set both.
 */
import type { z } from 'zod'
import type { Logger } from '../log.ts'
import type { Column, PgBaseType } from '../columns.ts'
import type { RecordShape } from '../record-shape.ts'
import type { FieldChange } from './processors.ts'
import type { ConnectorManifest, SourceDefaults } from './manifest.ts'

export type { SourceDefaults } from './manifest.ts'

export type WriteMode = 'merge' | 'append' | 'replace'
/**
 * What a read request asks of a stream (`ReadRequest.kind`): everything (`full`), what changed since
 * the cursor (`incremental`), or a `[since, until)` window (`backfill`). Not a run's `RunMode`
 * (engine/strategy.ts), which adds `force`: a forced run reads `full`.
 */
export type ReadKind = 'full' | 'incremental' | 'backfill'

/** One record as a stream yields it: typed column values and the source payload as received. */
export interface SourceRecord {
  /** column name → typed value; validated by the stream's recordSchema */
  readonly values: Record<string, unknown>
  /** the source record as received: stored in `_raw` and hashed to skip unchanged rows */
  readonly raw: unknown
  /** fields the connector's processors nulled because they did not fit (the row's `_meta`) */
  readonly changes?: readonly FieldChange[]
  /**
   * the source's own fields, as received, for the columns the stream does not declare: the engine
   * processes each into the type its column has now (schema evolution, docs/design.md §3.12)
   */
  readonly fields?: Readonly<Record<string, unknown>>
}

/** One field of the source's shape beyond the stream's declared columns. */
export interface SourceField {
  /** the warehouse column */
  readonly name: string
  /** its key in `SourceRecord.fields`, when it differs from the column's name */
  readonly from?: string
  /** the type the source says (or its values suggest) */
  readonly type: PgBaseType
}

/**
 * The source's shape as a page saw it: Athena's result metadata, HubSpot's properties, or the
 * fields SalesRabbit's records carried. `complete` when every source field is listed, so a column
 * missing from it was dropped at the source (a complete list that names any declared column is
 * taken to name every declared column the source has).
 */
export interface SourceSchema {
  readonly fields: readonly SourceField[]
  readonly complete: boolean
  /** the types were guessed from the values the records carried, not told by the source */
  readonly inferred?: boolean
}

/**
 * What `Stream.rebuild` makes of one stored `_raw`: the record(s) the stream yielded for it (with
 * the source's shape as the read saw it, when the records carry fields the stream does not
 * declare, so the engine knows which field fills which evolved column), or why it is not one.
 */
export type RebuildResult = { records: SourceRecord[]; schema?: SourceSchema } | { reject: string; key?: string }

/** A record the stream's processor could not turn into a row. */
export interface RejectedRecord {
  /** the primary key, when it could be read */
  readonly key?: string
  readonly reason: string
  readonly raw: unknown
}

export interface Page<K = unknown> {
  readonly records: readonly SourceRecord[]
  readonly rejects?: readonly RejectedRecord[]
  /** rows still as the source's bytes, after `records` and `rejects` (the byte lane: ByteRows) */
  readonly rows?: ByteRows
  /** where to resume once this page is committed; undefined when the page does not move it */
  readonly cursor: K | undefined
  /** write mode `replace`: the parent keys whose complete set of children is in this page */
  readonly replaceScopes?: readonly string[]
  /** the source's shape when this page was read (schema evolution); the same object on every page is fine */
  readonly schema?: SourceSchema
  /**
   * for a read whose size the source told in bytes (`ReadSize.bytes`): how many of them the read
   * has consumed up to the end of this page, so progress can be shown against that size
   */
  readonly bytesRead?: number
}

/**
 * The byte lane: a page's rows still as the bytes the source sent (SalesPro's result file). The
 * engine asks for an encoder for its batch's columns; a row the encoder takes reaches the warehouse
 * as a `PlainRecord`, never as strings and objects (a full sync spends most of its CPU on those).
 * Every other row is read the usual way, in its place. The lane is an optimization only: what it
 * writes is what the records `row` gives would have written, byte for byte (its tests compare).
 */
export interface ByteRows {
  readonly count: number
  /** an encoder for these columns, or undefined when the lane cannot write them all */
  encoder(plan: LanePlan): RowEncoder | undefined
  /** row `i` (0 ≤ i < count) as `read` would have yielded it: its records, or why it is rejected */
  row(i: number): { records: readonly SourceRecord[] } | { reject: RejectedRecord }
}

/** What a batch's rows are: its columns in order, and how each is filled (the engine's table shape). */
export interface LanePlan {
  /** a declared column, filled from the record's value of that name; or one the engine types itself from a source field */
  readonly columns: readonly ({ readonly name: string } | { readonly name: string; readonly base: PgBaseType; readonly from?: string })[]
  /** the table's one key column */
  readonly keyColumn: string
  /** the zone of timestamps without one */
  readonly timeZone: string
  /** store `_raw` slim: only what the columns cannot give back (src/record-shape.ts) */
  readonly slimRaw: boolean
}

/**
 * One row of the byte lane, filled in place row after row. Every value is proved plain: valid
 * UTF-8 with no control character or backslash, so COPY takes it as it is, and its record would
 * pass the stream's schema and processors unchanged.
 */
export interface PlainRecord {
  /** the bytes the column values lie in */
  source: Buffer
  /**
   * per column, three numbers: start and end in `source` (start -1 is NULL), and how the value is
   * written: 0 as it is; QUOTES_DOUBLED with each `""` as one `"` (a CSV value's escape); any
   * other number is an ASCII code written after it (a timestamp's `Z`)
   */
  readonly spans: Int32Array
  /** `_raw`, the record as JSON, is raw[rawStart, rawEnd); what lies before rawStart is the engine's (the hash's prefix) */
  raw: Buffer
  readonly rawStart: number
  rawEnd: number
  /** `_raw` holds a backslash (a quote's JSON escape), which COPY needs doubled */
  rawEscaped: boolean
  /**
   * with `LanePlan.slimRaw`, what is stored as `_raw`: the record slim (src/record-shape.ts),
   * slim[0, slimEnd), only the fields its columns cannot give back; the whole record, `raw`, is
   * what is hashed, and stored when slimEnd is 0
   */
  slim: Buffer
  slimEnd: number
  /** the slim `_raw` holds a backslash */
  slimEscaped: boolean
  /** the key column's value */
  key: string
}

/** `PlainRecord.spans`: the value is a CSV value's bytes, each `""` standing for `"`. */
export const QUOTES_DOUBLED = -1

export interface RowEncoder {
  /** fills `out` with row `i` and says true; false when the row is not plain: read it with `ByteRows.row` */
  encode(i: number, out: PlainRecord): boolean
  /** the shape every slim `_raw` it writes names (with `LanePlan.slimRaw`), kept by the warehouse in the batch's transaction */
  readonly shape?: RecordShape
}

export interface ReadRequest<K> {
  /** the read's kind */
  readonly kind: ReadKind
  /** the position to resume from; undefined = from the beginning */
  readonly cursor: K | undefined
  /** true when `cursor` ends a finished run, so the read starts `lookbackSeconds` earlier */
  readonly applyLookback: boolean
  /** backfill window, ISO-8601 instants, `[since, until)` */
  readonly since?: string
  readonly until?: string
  readonly lookbackSeconds: number
  /** hold back the newest `horizonSeconds` for the next run (sources whose newest writes lag) */
  readonly horizonSeconds: number
  /**
   * records per page: a hint to the source (its page size), which may send fewer or, within
   * reason, more; the engine commits pages in batches of its own (`commitRows`, both set from the
   * config's `batchSize` and `--batch-size`), and cuts a read at `--max-records` itself
   */
  readonly pageSize: number
  /** the IANA zone the source writes timestamps without a zone in; UTC when absent */
  readonly timeZone?: string
}

/**
 * How much one read will yield, when the source says so before the read ends: `records` when it
 * tells a count (HubSpot's search `total`), `bytes` when it tells only the size of what is read
 * (the Athena result object in S3; its pages then carry `bytesRead`). Reported at most once per
 * read (per call of `read`), before its first page; a source that cannot tell reports nothing,
 * and never a guess. It is progress only: a read may yield a few records more than it said.
 */
export interface ReadSize {
  readonly records?: number
  readonly bytes?: number
}

/** Things a connector reports while it works, for metrics, logs and progress; never needed for correctness. */
export type ConnectorEvent =
  | { type: 'request'; operation: string; status: number | 'error'; ms: number }
  | ({ type: 'size' } & ReadSize)
  | { type: 'rate_limit_wait'; ms: number; reason: string }
  | { type: 'retry'; operation: string; attempt: number; reason: string; waitMs: number }

export interface RunContext {
  readonly signal: AbortSignal
  readonly log: Logger
  readonly now: () => Date
  report(event: ConnectorEvent): void
}

/** A context for a connector call outside a run (listing streams, a check): nothing to report. */
export const callContext = (log: Logger, signal: AbortSignal = new AbortController().signal): RunContext => ({ signal, log, now: () => new Date(), report: () => {} })

export interface Stream<K = unknown> {
  /** table name in the connector's schema */
  readonly name: string
  readonly recordSchema: z.ZodObject
  readonly columns: readonly Column[]
  readonly primaryKey: readonly string[]
  /** the source's modification time column: an older version never overwrites a newer one */
  readonly cursorField?: string
  /** a column whose non-null value means the source deleted the record (soft delete) */
  readonly deletedAtField?: string
  readonly write: WriteMode
  /** write mode `replace`: the column naming the parent */
  readonly replaceScope?: string
  /** whether a complete full pass soft-deletes rows it did not see (default: true unless append) */
  readonly detectDeletes?: boolean
  /**
   * every run reads everything (a full pass), whatever is stored: for small sets the source cannot
   * filter by modification (owners, users) and for links whose removal only a full read reveals
   * (associations). A `--since/--until` window still wins.
   */
  readonly alwaysFull?: boolean
  /** its pages carry byte rows (`Page.rows`), which a contract's `raw: slim` stores slim; no other row is */
  readonly byteRows?: boolean
  readonly cursorSchema: z.ZodType<K>
  read(request: ReadRequest<K>, ctx: RunContext): AsyncIterable<Page<K>>
  /**
   * The position just after this record, for a read cut mid-page (`--max-records`); undefined
   * when it cannot be told from the record, and then the next run reads the cut page again.
   */
  cursorAt?(record: SourceRecord): K | undefined
  /**
   * Turns one stored `_raw` (or a reject's raw) back into exactly the record(s) `read` yielded for
   * it (same `values`, `changes`, `fields`, `raw`), with no call to the source: `crmsync reprocess`
   * and `crmsync rejects retry` run today's processors over what was received. Undefined when a
   * record's values depend on more than its raw (numbering within a query, a parent's fields):
   * such a stream cannot be reprocessed.
   */
  rebuild?(raw: unknown, ctx: { timeZone: string }): RebuildResult
}

export interface Connector<C = unknown> {
  /** the static half (./manifest.ts): name, title, credentials, defaults, emulator */
  readonly manifest: ConnectorManifest
  readonly name: string
  readonly title: string
  readonly configSchema: z.ZodType<C>
  /** reads the config from environment-style variables and the config file's section for it */
  loadConfig(variables: Readonly<Record<string, string | undefined>>, fileSection: unknown): C
  /** secret values in a config, for the log redactor */
  secrets(config: C): string[]
  /**
   * One cheap request proving the credentials and endpoint work; throws SyncError('auth_failed' |
   * ...) naming the variable to fix. May say what it reached (`Athena reachable (database x)`).
   */
  check(config: C, ctx: RunContext): Promise<string | void>
  /**
   * Which source's data a config reads: its endpoint, database, account — what, if it changed,
   * means another source (not new credentials for the same one). The warehouse remembers it, and
   * a sync against another source's data stops (its cursors would read nothing of the new one).
   */
  identity?(config: C): Readonly<Record<string, string>>
  streams(config: C, ctx: RunContext): Promise<readonly Stream[]>
  /**
   * The names `streams()` will give, from the config file's section alone: no credentials, no
   * request. Lets `schedule add` refuse a stream that does not exist where there are no credentials.
   */
  streamNames?(fileSection: unknown): readonly string[]
  readonly defaults: SourceDefaults
}

/** The part of a connector its manifest does not hold. */
export type ConnectorImplementation<C> = Omit<Connector<C>, 'manifest' | 'name' | 'title' | 'defaults'>

/** A connector built on its manifest: name, title and defaults come from there, so the two cannot drift. */
export const defineConnector = <C>(manifest: ConnectorManifest, implementation: ConnectorImplementation<C>): Connector<C> => ({
  ...implementation,
  manifest,
  name: manifest.name,
  title: manifest.title,
  defaults: manifest.defaults,
})

/** Identity helper that keeps literal types when defining streams. */
export const defineStream = <K>(stream: Stream<K>) => stream
