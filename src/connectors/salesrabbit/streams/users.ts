import { z } from 'zod'
import { SyncError } from '../../../errors.ts'
import { columnsOf } from '../../../columns.ts'
import {
  defineStream,
  type Page,
  type ReadRequest,
  type RejectedRecord,
  type RunContext,
  type SourceRecord,
} from '../../types.ts'
import type { SalesRabbitClient } from '../client.ts'
import type { SalesRabbitConfig } from '../config.ts'
import { asObject, inferSchema, rebuildRecord, toRecord } from '../processors.ts'
import { userRecord } from '../schemas.ts'
import { parseInstant } from '../timestamps.ts'
import { inWindow, isLastPage, pageSizeFor } from './paging.ts'

/** The last committed page of a pass; `complete` once the pass ended (the next one starts over). */
export const usersCursorSchema = z.object({ page: z.number().int().positive(), complete: z.boolean() }).strict()
export type UsersCursor = z.infer<typeof usersCursorSchema>

// every page of a real account's users fits in a handful of requests; this only stops a runaway source
const MAX_PAGES = 1000

export function defineUsersStream(client: SalesRabbitClient, config: SalesRabbitConfig) {
  return defineStream<UsersCursor>({
    name: 'users',
    recordSchema: userRecord.schema,
    columns: columnsOf(userRecord.schema, ['id']),
    primaryKey: ['id'],
    cursorField: 'date_modified',
    write: 'merge',
    // a small set the API cannot list reliably by modification, so every run reads it whole
    alwaysFull: true,
    cursorSchema: usersCursorSchema,
    rebuild: (raw, ctx) => rebuildRecord(userRecord, 'user', raw, ctx.timeZone),
    read: (request, ctx) => readUsers(client, config, request, ctx),
  })
}

/**
 * Pages /users with the observed quirk in mind: the API may return every user on every page and
 * say `morePages: true` forever. Users are de-duplicated by id, and the listing ends at a page
 * that repeats one already seen or adds no new user, as well as at `morePages: false` or a short
 * page. Too many pages fail the run loudly rather than loop.
 */
async function* readUsers(
  client: SalesRabbitClient,
  config: SalesRabbitConfig,
  request: ReadRequest<UsersCursor>,
  ctx: RunContext,
): AsyncGenerator<Page<UsersCursor>> {
  const perPage = pageSizeFor(config, request)
  const backfill = request.kind === 'backfill'
  const since = (backfill && request.since && parseInstant(request.since)) || null
  const until = (backfill && request.until && parseInstant(request.until)) || null
  const resume = request.cursor && !request.cursor.complete && !backfill ? request.cursor.page : 0
  const seen = new Set<string>()
  const pages = new Set<string>()
  for (let page = resume + 1; ; page++) {
    if (page - resume > MAX_PAGES) {
      const message = `SalesRabbit /users had new users after ${MAX_PAGES} pages; stopping rather than looping`
      throw new SyncError('source_bad_response', message)
    }
    const answer = await client.list('users', { page, perPage, modifiedSince: since ?? undefined }, ctx)
    const ids = answer.data.map((user) => String(asObject(user)?.id))
    const signature = [...ids].sort().join(',')
    const repeated = pages.has(signature)
    pages.add(signature)
    const fresh = answer.data.filter((_, i) => !seen.has(ids[i]))
    for (const id of ids) seen.add(id)
    const { records, rejects, schema } = takeUsers(fresh, since, until, request.timeZone)
    const last = repeated || fresh.length === 0 || isLastPage(answer, perPage)
    yield { records, rejects, cursor: { page, complete: last }, schema }
    if (last) return
  }
}

function takeUsers(data: readonly unknown[], since: number | null, until: number | null, zone?: string) {
  const records: SourceRecord[] = []
  const rejects: RejectedRecord[] = []
  const users: Record<string, unknown>[] = []
  for (const raw of data) {
    const user = asObject(raw)
    // outside the window: skipped before it is converted, as it always was
    if (user && !inWindow(user.dateModified, since, until)) continue
    const result = toRecord(userRecord, 'user', raw, zone)
    if ('reject' in result) rejects.push(result.reject)
    else {
      records.push(result.record)
      users.push(result.object)
    }
  }
  return { records, rejects, schema: inferSchema(userRecord, users) }
}
