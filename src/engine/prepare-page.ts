import { hash } from 'node:crypto'
import type { z } from 'zod'
import type { Page, Stream } from '../connectors/types.ts'
import { encodeRowLine, keyText } from '../warehouse/merge.ts'
import { createStagedRows, type StagedRows } from '../warehouse/staged-rows.ts'
import type { RejectRow } from '../warehouse/sql/rejects.ts'

export interface PreparedPage {
  rows: StagedRows
  rejects: RejectRow[]
  /** records the source sent in this page, valid or not */
  fetched: number
  /** write mode `replace`: the parents whose children this page lists completely */
  replaceScopes: readonly string[]
}

// rows between turns given back to the event loop (~1 ms of work): the previous batch's COPY and
// its statements wait for a turn, and PostgreSQL idles meanwhile (256 left it idle ~15% longer)
const YIELD_EVERY = 64

// JSON.stringify writes a NUL character as the escape \u0000, and every value comes from the record
const hasNul = (rawJson: string) => rawJson.includes('\\u0000')

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
}

/**
 * Turns a stream's pages into commit batches of at least `batchSize` records (or what is left at
 * the end). Each page is validated and encoded the moment it arrives, so its records can be
 * collected while they are young: a connector that yields small pages keeps few objects alive,
 * however large the batches it is committed in (measured on SalesPro: 500-row pages cut the
 * sync's garbage-collection time by three quarters against 5,000-row pages). Committing several
 * pages together with the last one's cursor is the same as committing one larger page.
 */
export async function* prepareBatches<K>(stream: Stream<K>, pages: AsyncIterable<Page<K>>, batchSize: number): AsyncGenerator<PreparedBatch<K>> {
  let batch = startBatch()
  let cursor: K | undefined
  for await (const page of pages) {
    await preparePage(stream, page, batch)
    if (page.cursor !== undefined) cursor = page.cursor
    // an empty page that moves the cursor (a window with no changes) commits at once, as it always did
    if (batch.fetched >= batchSize || page.records.length + (page.rejects?.length ?? 0) === 0) {
      yield { prepared: finishBatch(batch), cursor }
      batch = startBatch()
      cursor = undefined
    }
  }
  if (batch.fetched > 0) yield { prepared: finishBatch(batch), cursor }
}

interface OpenBatch {
  staged: ReturnType<typeof createStagedRows>
  rejects: RejectRow[]
  fetched: number
  replaceScopes: string[]
}

const startBatch = (): OpenBatch => ({ staged: createStagedRows(), rejects: [], fetched: 0, replaceScopes: [] })
const finishBatch = (batch: OpenBatch): PreparedPage => ({ rows: batch.staged.done(), rejects: batch.rejects, fetched: batch.fetched, replaceScopes: batch.replaceScopes })

/**
 * Validates a page's records against the stream's schema (the validator layer), hashes each
 * source payload and encodes its row into the batch, which keeps only the last version of a key,
 * since one statement cannot upsert the same row twice.
 */
async function preparePage(stream: Stream, page: Page, batch: OpenBatch): Promise<void> {
  const { staged, rejects } = batch
  for (const r of page.rejects ?? []) rejects.push({ key: r.key ?? null, reason: r.reason, raw: r.raw })
  for (const scope of page.replaceScopes ?? []) batch.replaceScopes.push(scope)
  batch.fetched += page.records.length + (page.rejects?.length ?? 0)
  let sinceYield = 0
  const names = columnNames(stream)
  for (const record of page.records) {
    // hand the event loop back now and then: the previous batch's COPY is streaming to PostgreSQL
    // meanwhile, and a loop busy for a whole page would leave that socket unfed
    if (++sinceYield === YIELD_EVERY) {
      sinceYield = 0
      await new Promise((resolve) => setImmediate(resolve))
    }
    const parsed = stream.recordSchema.safeParse(record.values)
    const key = readKey(stream, record.values)
    if (!parsed.success) {
      rejects.push({ key, reason: describeIssues(parsed.error), raw: record.raw })
      continue
    }
    const raw = JSON.stringify(record.raw ?? null)
    const values = new Array<unknown>(names.length)
    for (let i = 0; i < names.length; i++) values[i] = record.values[names[i]] ?? null
    if (hasNul(raw)) {
      rejects.push({ key, reason: 'contains a NUL character (\\u0000), which PostgreSQL cannot store', raw: record.raw })
      continue
    }
    const deletedAt = stream.deletedAtField ? ((record.values[stream.deletedAtField] as string | null) ?? null) : null
    staged.add(key as string, deletedAt !== null, encodeRowLine(values, raw, hash('sha256', raw, 'base64'), deletedAt))
  }
}

function readKey(stream: Stream, values: Record<string, unknown>): string | null {
  if (stream.primaryKey.length === 1) {
    const value = values[stream.primaryKey[0]]
    return value === null || value === undefined || value === '' ? null : String(value)
  }
  const parts = stream.primaryKey.map((k) => values[k])
  return parts.some((p) => p === null || p === undefined || p === '') ? null : keyText(parts)
}

const namesOf = new WeakMap<Stream, string[]>()
const columnNames = (stream: Stream) => {
  let names = namesOf.get(stream)
  if (!names) namesOf.set(stream, (names = stream.columns.map((c) => c.name)))
  return names
}
