import { z } from 'zod'
import { col, columnsOf } from '../../src/columns.ts'
import { defineManifest } from '../../src/connectors/manifest.ts'
import { defineConnector, type Connector, type Page, type ReadRequest, type RunContext, type SourceRecord, type SourceSchema, type Stream, type WriteMode } from '../../src/connectors/types.ts'
import { SyncError } from '../../src/errors.ts'

/**
 * An in-memory source for engine tests: rows keyed by `id`, ordered by the exact text of
 * `updated_at` and then `id` — the same keyset contract as the real streams. Every page is a
 * fresh query, so tests can change rows between pages.
 */
export interface FakeRow {
  id: string
  updated_at: string
  name: string | null
  amount?: string | null
  parent?: string | null
  /** fields beyond the declared columns, as the source sends them (schema evolution) */
  extra?: Record<string, unknown>
}

export interface FakeSourceControls {
  rows: Map<string, FakeRow>
  /** called before each page is produced; throw to simulate a failure at that page */
  beforePage?: (pageNo: number) => void | Promise<void>
  /** pages produced so far, across runs */
  pagesServed: number
  /** records handed out as-is without processing, to test the validator */
  inject?: (row: FakeRow) => SourceRecord | undefined
  /** the source's shape every page reports: its fields beyond the declared columns */
  schema?: SourceSchema
}

export const fakeCursor = z.object({ updatedAt: z.string(), id: z.string() })
type Cursor = z.infer<typeof fakeCursor>

const schema = z.object({
  id: col.key(),
  updated_at: col.timestampRequired(),
  name: col.text(),
  amount: col.decimal(12, 2),
  parent: col.text(),
})

const toIso = (text: string, secondsBack: number) => {
  const date = new Date(Date.parse(text) - secondsBack * 1000)
  return date.toISOString()
}

export function createFakeStream(controls: FakeSourceControls, options: { name?: string; write?: WriteMode; replaceScope?: string } = {}): Stream<Cursor> {
  const after = (row: FakeRow, cursor: Cursor) => row.updated_at > cursor.updatedAt || (row.updated_at === cursor.updatedAt && row.id > cursor.id)
  const primaryKey = ['id']
  return {
    name: options.name ?? 'items',
    recordSchema: schema,
    columns: columnsOf(schema, primaryKey),
    primaryKey,
    cursorField: 'updated_at',
    write: options.write ?? 'merge',
    replaceScope: options.replaceScope,
    cursorSchema: fakeCursor,
    cursorAt: (record) => ({ updatedAt: String(record.values.updated_at), id: String(record.values.id) }),
    async *read(request: ReadRequest<Cursor>, ctx: RunContext): AsyncIterable<Page<Cursor>> {
      let cursor = request.cursor
      if (cursor && request.applyLookback && request.lookbackSeconds > 0) cursor = { updatedAt: toIso(cursor.updatedAt, request.lookbackSeconds), id: '' }
      if (!cursor && request.since) cursor = { updatedAt: request.since, id: '' }
      for (let pageNo = 1; ; pageNo++) {
        if (ctx.signal.aborted) throw new SyncError('cancelled', 'aborted')
        await controls.beforePage?.(pageNo)
        const current = cursor
        const rows = [...controls.rows.values()]
          .filter((row) => !current || after(row, current))
          .filter((row) => !request.until || row.updated_at < request.until)
          .sort((a, b) => (a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : a.id < b.id ? -1 : 1))
          .slice(0, request.pageSize)
        if (rows.length === 0) return
        controls.pagesServed++
        const last = rows[rows.length - 1]
        cursor = { updatedAt: last.updated_at, id: last.id }
        const records = rows.map((row) => controls.inject?.(row) ?? { values: { amount: null, parent: null, ...row }, raw: { ...row }, fields: row.extra })
        yield {
          records,
          cursor,
          schema: controls.schema,
          replaceScopes: options.replaceScope ? [...new Set(rows.map((r) => String(r.parent)))] : undefined,
        }
      }
    },
  }
}

export function createFakeConnector(controls: FakeSourceControls, streams?: Stream[]): Connector<Record<string, never>> {
  const manifest = defineManifest({
    name: 'fake',
    title: 'Fake',
    credentials: [],
    fileShape: {},
    defaults: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10 },
  })
  return defineConnector<Record<string, never>>(manifest, {
    configSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
    loadConfig: () => ({}),
    secrets: () => [],
    check: async () => {},
    streams: async () => streams ?? [createFakeStream(controls)],
  })
}

/** `count` rows `r0001…`, updated one second apart from 2024-01-01, or all at one instant when `tie`. */
export function makeRows(count: number, options: { tie?: boolean; prefix?: string } = {}): Map<string, FakeRow> {
  const rows = new Map<string, FakeRow>()
  for (let i = 1; i <= count; i++) {
    const id = `${options.prefix ?? 'r'}${String(i).padStart(5, '0')}`
    const updated_at = options.tie ? '2024-01-01T00:00:00.000000Z' : new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString().replace('Z', '000Z')
    rows.set(id, { id, updated_at, name: `name ${i}`, amount: `${i}.50` })
  }
  return rows
}
