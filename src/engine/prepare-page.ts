import { hash } from 'node:crypto'
import type { z } from 'zod'
import type { Page, Stream } from '../connectors/types.ts'
import { encodeRowLine, keyText, type StagedRow } from '../warehouse/merge.ts'
import type { RejectRow } from '../warehouse/sql/rejects.ts'

export interface PreparedPage {
  rows: StagedRow[]
  rejects: RejectRow[]
  /** records the source sent in this page, valid or not */
  fetched: number
  /** write mode `replace`: the parents whose children this page lists completely */
  replaceScopes: readonly string[]
}

const YIELD_EVERY = 256

// JSON.stringify writes a NUL character as the escape \u0000, and every value comes from the record
const hasNul = (rawJson: string) => rawJson.includes('\\u0000')

/** The first problem of a failed validation, in one line a person can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`)
    .join('; ')
}

/**
 * Validates a page's records against the stream's schema (the validator layer), hashes each
 * source payload, and keeps only the last version of a key within the page, since one statement
 * cannot upsert the same row twice.
 */
export async function preparePage(stream: Stream, page: Page): Promise<PreparedPage> {
  const rejects: RejectRow[] = (page.rejects ?? []).map((r) => ({ key: r.key ?? null, reason: r.reason, raw: r.raw }))
  const byKey = new Map<string, StagedRow>()
  let sinceYield = 0
  const names = columnNames(stream)
  for (const record of page.records) {
    // hand the event loop back now and then: the previous page's COPY is streaming to PostgreSQL
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
    byKey.set(key as string, { key: key as string, deleted: deletedAt !== null, line: encodeRowLine(values, raw, hash('sha256', raw, 'base64'), deletedAt) })
  }
  return {
    rows: [...byKey.values()],
    rejects,
    fetched: page.records.length + (page.rejects?.length ?? 0),
    replaceScopes: page.replaceScopes ?? [],
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
