import { z } from 'zod'
import { columnsOf, type PgBaseType } from '../../../columns.ts'
import { ValueError, type FieldChange } from '../../processors.ts'
import type { ByteRows, LanePlan, Page, ReadRequest, RebuildResult, RejectedRecord, RunContext, SourceRecord, SourceSchema, Stream, WriteMode } from '../../types.ts'
import { compileLane, laneEncoder, type Lane, type LaneTable } from '../byte-lane.ts'
import { createAthenaGateway, type AthenaColumn, type AthenaRow, type ResultBatch } from '../client.ts'
import type { SalesProConfig } from '../config.ts'
import type { Parser } from '../processors.ts'
import { buildWindowQuery, isoToAthena, minusSeconds } from './sql.ts'

const PAGE_ROWS = 500

const ATHENA_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,9})?$/

/** Where a SalesPro stream resumes: the exact Athena text of the last row's cursor column, and its key. */
export const salesProCursor = z.object({ ts: z.string().regex(ATHENA_TIMESTAMP), key: z.string().optional() })
export type SalesProCursor = z.infer<typeof salesProCursor>

/** What one Athena row becomes: records for the warehouse, or the reason it cannot be one. */
export type RowResult = { records: SourceRecord[]; scope?: string } | { reject: string; key?: string }

export interface TableStreamSpec {
  name: string
  /** the Athena table */
  table: string
  /** the Athena key column; undefined for a keyless (append-only) table */
  sourceKey?: string
  cursorColumn: string
  schema: z.ZodObject
  primaryKey: string[]
  write?: WriteMode
  replaceScope?: string
  /** for keyless tables: the columns that order rows inside one timestamp */
  orderColumns?: string[]
  /** turns a row into records; called with per-query state so keyless tables can number duplicates */
  convert: (row: AthenaRow, query: Map<string, number>, zone: string) => RowResult
  /** the table follows Athena's columns: ones it does not declare become columns (docs/design.md §3.12) */
  evolves?: boolean
  /**
   * `convert` needs nothing but the row (no per-query numbering, no parent's fields), and each
   * record's raw is that row: a stored `_raw` can be converted again (`Stream.rebuild`)
   */
  rebuilds?: boolean
  /**
   * `convert` is `convertKeyed` with these parsers: rows can take the byte lane
   * (../byte-lane.ts), which writes what `convert` would, straight from the result file's bytes
   */
  parsers?: Record<string, Parser>
}

// a stored `_raw` of a SalesPro row: the Athena row as the read received it
const storedRow = z.record(z.string(), z.string().nullable())

/** `Stream.rebuild` for a table whose `convert` needs only the row: the read path's own conversion, again. */
function rebuildRow(spec: TableStreamSpec, raw: unknown, zone: string): RebuildResult {
  const row = storedRow.safeParse(raw)
  if (!row.success) return { reject: `the stored record is not an Athena row of ${spec.table} (an object of texts and NULLs)` }
  const result = spec.convert(row.data, new Map(), zone)
  return 'reject' in result ? result : { records: result.records }
}

// parsers as [column, parser] pairs, built once per parser table: this runs for every row
const entriesOf = new WeakMap<Record<string, Parser>, [string, Parser][]>()

/**
 * The common conversion: each warehouse column parsed from the Athena column of the same name. A
 * value that does not fit is NULL with a change noted in `changes`, except in the `required`
 * columns (the cursor), whose failure throws: such a row has no place in the stream.
 */
export function convertColumns(row: AthenaRow, parsers: Record<string, Parser>, zone: string, changes: FieldChange[], required: readonly string[] = []): Record<string, unknown> {
  let entries = entriesOf.get(parsers)
  if (!entries) entriesOf.set(parsers, (entries = Object.entries(parsers)))
  const values: Record<string, unknown> = {}
  for (const [column, parser] of entries) {
    const text = row[column] ?? null
    // (no closure per field: this runs for every column of every row)
    try {
      values[column] = parser(text, zone)
    } catch (error) {
      if (!(error instanceof ValueError)) throw error
      if (required.includes(column)) throw new ValueError(`${column}: ${JSON.stringify(text)} is ${error.message}`)
      values[column] = null
      changes.push({ field: column, change: 'nulled', reason: error.message })
    }
  }
  return values
}

/** The row as a plain record (its own Athena columns carried for schema evolution), or the reason it is not one. */
export function convertKeyed(row: AthenaRow, key: string, parsers: Record<string, Parser>, zone: string, cursorColumn: string): RowResult {
  const id = row[key]
  if (id === null || id === undefined || id.trim() === '') return { reject: `${key} is missing (${id === null ? 'NULL' : 'empty'}), so the row has no identity to store it under` }
  const changes: FieldChange[] = []
  try {
    const values = convertColumns(row, parsers, zone, changes, [cursorColumn])
    return { records: [{ values, raw: row, changes, fields: row }] }
  } catch (error) {
    if (error instanceof ValueError) return { reject: error.message, key: id }
    throw error
  }
}

/** Athena's column type (`ColumnInfo.Type`: varchar, integer, decimal, timestamp...) as a warehouse type. */
export function athenaBaseType(type: string): PgBaseType {
  switch (type.toLowerCase().replace(/\(.*$/, '')) {
    case 'boolean':
      return 'boolean'
    case 'tinyint':
    case 'smallint':
    case 'integer':
    case 'int':
      return 'integer'
    case 'bigint':
      return 'bigint'
    case 'real':
    case 'float':
    case 'double':
      return 'double precision'
    case 'decimal':
      return 'numeric'
    case 'timestamp':
      return 'timestamptz'
    case 'date':
      return 'date'
    default:
      // varchar, char, and the structured types (array, map, row), which Athena writes as text
      return 'text'
  }
}

const sourceSchemaOf = (columns: readonly AthenaColumn[]): SourceSchema => ({
  fields: columns.map((c) => ({ name: c.name, type: athenaBaseType(c.type) })),
  complete: true,
})

/**
 * A SalesPro table as a stream (the "engine" layer of the seed's four): one Athena query for the
 * run's window, ordered by (cursor column, key), streamed in pages whose cursor is the exact text
 * of the last row's position.
 */
export function defineTableStream(spec: TableStreamSpec, config: SalesProConfig): Stream<SalesProCursor> {
  const keyless = spec.sourceKey === undefined
  return {
    name: spec.name,
    recordSchema: spec.schema,
    columns: columnsOf(spec.schema, spec.primaryKey),
    primaryKey: spec.primaryKey,
    cursorField: spec.cursorColumn,
    write: spec.write ?? 'merge',
    replaceScope: spec.replaceScope,
    cursorSchema: salesProCursor,
    rebuild: spec.rebuilds ? (raw, ctx) => rebuildRow(spec, raw, ctx.timeZone) : undefined,
    byteRows: laneOf(spec) !== undefined,
    cursorAt(record) {
      // a record whose raw is its Athena row (a line item's raw is its own JSON: no position)
      const row = record.raw as AthenaRow
      const ts = row?.[spec.cursorColumn]
      if (typeof ts !== 'string' || !ATHENA_TIMESTAMP.test(ts)) return undefined
      if (keyless) return { ts }
      const key = row[spec.sourceKey as string]
      return typeof key === 'string' ? { ts, key } : undefined
    },
    async *read(request: ReadRequest<SalesProCursor>, ctx: RunContext): AsyncIterable<Page<SalesProCursor>> {
      const sql = buildWindowQuery({
        database: config.database,
        table: spec.table,
        cursorColumn: spec.cursorColumn,
        orderColumns: keyless ? (spec.orderColumns ?? []) : [spec.sourceKey as string],
        after: startingPoint(request, keyless),
        until: upperBound(request, ctx.now()),
        includeNullCursor: request.kind === 'full' && request.cursor === undefined,
      })
      const gateway = createAthenaGateway(config)
      let batches: AsyncIterator<ResultBatch> | undefined
      try {
        const query = await gateway.run(sql, ctx)
        ctx.log.debug({ queryExecutionId: query.id, sql }, 'reading athena result')
        const zone = request.timeZone ?? 'UTC'
        batches = gateway.batches(query, ctx)[Symbol.asyncIterator]()
        // the result's own column metadata is the source's shape as this run sees it; it is asked
        // for while the result file opens, two round trips at once (a small incremental read is
        // mostly round trips)
        const [columns, first] = await Promise.all([spec.evolves ? gateway.columns(query, ctx) : undefined, batches.next()])
        const schema = columns && sourceSchemaOf(columns)
        // small pages: the engine commits them in batches of commitRows all the same, and a row's
        // objects die young when its page is encoded soon after it was read (see prepareBatches)
        const pageSize = Math.min(request.pageSize, PAGE_ROWS)
        yield* resultPages(spec, prepend(first, batches), { pageSize, zone, schema, byteLane: true })
      } finally {
        // a read ended early (--max-records, a failure) closes the result file; not awaited, since
        // its first batch may still be on its way when the metadata call failed
        batches?.return?.(undefined).catch(() => {})
        gateway.destroy()
      }
    },
  }
}

/** How `resultPages` cuts and reads a result. */
export interface ResultPagesOptions {
  pageSize: number
  /** the zone of Athena's zoneless timestamps */
  zone: string
  /** the result's shape, shown on every page */
  schema?: SourceSchema
  /** rows of the result file take the byte lane (ByteRows) when the table allows it */
  byteLane: boolean
}

/**
 * A query result's rows as pages of at most `pageSize`, each with the position of its last row
 * that has one. Rows of the S3 result file go as the file's bytes (`Page.rows`) when the table's
 * rows can take the byte lane; the others as records, read here.
 */
export async function* resultPages(spec: TableStreamSpec, batches: AsyncIterable<ResultBatch>, options: ResultPagesOptions): AsyncGenerator<Page<SalesProCursor>> {
  const { pageSize, zone, schema } = options
  const keyless = spec.sourceKey === undefined
  const perQuery = new Map<string, number>()
  const convert = (row: AthenaRow) => spec.convert(row, perQuery, zone)
  let records: SourceRecord[] = []
  let rejects: RejectedRecord[] = []
  let scopes: string[] = []
  let rowsInPage = 0
  // the last row read with a usable timestamp: each page's cursor is its position
  let cursorRow: AthenaRow | undefined
  const cursor = (): SalesProCursor | undefined => {
    if (!cursorRow) return undefined
    const ts = cursorRow[spec.cursorColumn] as string
    return keyless ? { ts } : { ts, key: cursorRow[spec.sourceKey as string] ?? '' }
  }
  // the S3 result file's bytes read when each page was cut (its size was reported as the read's)
  let bytesRead: number | undefined
  // the rows read the usual way so far, as a page
  const cutPage = (): Page<SalesProCursor> => {
    const page = { records, rejects, cursor: cursor(), replaceScopes: scopes, schema, bytesRead }
    records = []
    rejects = []
    scopes = []
    rowsInPage = 0
    return page
  }
  const table = options.byteLane ? laneOf(spec) : undefined
  // the lane as compiled for the engine's last plan (one per batch) and this result's header
  let compiled: { plan: LanePlan; lane: Lane | undefined } | undefined
  const laneFor =
    table &&
    ((plan: LanePlan, header: readonly string[]) => {
      if (compiled?.plan !== plan) compiled = { plan, lane: compileLane(header, table, plan) }
      return compiled.lane
    })
  for await (const batch of batches) {
    bytesRead = batch.bytesRead
    if (laneFor && batch.block) {
      // the rows before it, read the usual way, come first
      if (rowsInPage > 0) yield cutPage()
      for (let from = 0; from < batch.count; from += pageSize) {
        const to = Math.min(batch.count, from + pageSize)
        for (let i = to - 1; i >= from; i--) {
          const row = batch.row(i)
          if (hasPosition(row, spec)) {
            cursorRow = row
            break
          }
        }
        yield { records: [], rows: byteRows(batch, from, to, laneFor, convert), cursor: cursor(), schema, bytesRead }
      }
      continue
    }
    for (let i = 0; i < batch.count; i++) {
      const row = batch.row(i)
      const result = convert(row)
      if ('reject' in result) rejects.push({ key: result.key, reason: result.reject, raw: row })
      else {
        for (const record of result.records) records.push(record)
        if (result.scope !== undefined) scopes.push(result.scope)
      }
      if (hasPosition(row, spec)) cursorRow = row
      if (++rowsInPage >= pageSize) yield cutPage()
    }
  }
  // an empty result still shows the source's shape (a dropped column with no changed rows)
  if (rowsInPage > 0 || schema) yield cutPage()
}

/** The row's cursor column is an Athena timestamp: the row is a position to resume after. */
function hasPosition(row: AthenaRow, spec: TableStreamSpec): boolean {
  const ts = row[spec.cursorColumn]
  return !!ts && ATHENA_TIMESTAMP.test(ts)
}

/** `first`, then the rest of `iterator`. */
async function* prepend<T>(first: IteratorResult<T>, iterator: AsyncIterator<T>): AsyncGenerator<T> {
  for (let next = first; !next.done; next = await iterator.next()) yield next.value
}

/** What the byte lane needs of a table whose rows it can write, or undefined. */
function laneOf(spec: TableStreamSpec): LaneTable | undefined {
  if (!spec.parsers || spec.sourceKey === undefined || !spec.rebuilds) return undefined
  return { schema: spec.schema, parsers: spec.parsers, key: spec.sourceKey, cursorColumn: spec.cursorColumn }
}

/** Rows `[from, to)` of a batch of the result file as the byte lane's page. */
function byteRows(batch: ResultBatch, from: number, to: number, laneFor: (plan: LanePlan, header: readonly string[]) => Lane | undefined, convert: (row: AthenaRow) => RowResult): ByteRows {
  const block = batch.block as NonNullable<ResultBatch['block']>
  const offset = (batch.offset ?? 0) + from
  return {
    count: to - from,
    encoder(plan) {
      const lane = laneFor(plan, batch.header)
      return lane && laneEncoder(lane, block, offset)
    },
    row(i) {
      const row = batch.row(from + i)
      const result = convert(row)
      return 'reject' in result ? { reject: { key: result.key, reason: result.reject, raw: row } } : { records: result.records }
    },
  }
}

function startingPoint(request: ReadRequest<SalesProCursor>, keyless: boolean): { ts: string; key?: string } | undefined {
  const { cursor } = request
  if (cursor) {
    // a lookback re-reads a whole time range; a keyless table always restarts at its timestamp to renumber duplicates
    if (request.applyLookback && request.lookbackSeconds > 0) return { ts: minusSeconds(cursor.ts, request.lookbackSeconds) }
    return keyless || cursor.key === undefined ? { ts: cursor.ts } : { ts: cursor.ts, key: cursor.key }
  }
  if (request.kind === 'backfill' && request.since) return { ts: isoToAthena(request.since) }
  return undefined
}

function upperBound(request: ReadRequest<SalesProCursor>, now: Date): string | undefined {
  const bounds: string[] = []
  if (request.kind === 'backfill' && request.until) bounds.push(isoToAthena(request.until))
  if (request.horizonSeconds > 0) bounds.push(isoToAthena(new Date(now.getTime() - request.horizonSeconds * 1000).toISOString()))
  if (bounds.length === 0) return undefined
  return bounds.sort()[0]
}

