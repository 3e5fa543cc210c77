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
import { leadRecord } from '../schemas.ts'
import {
  finalCursor,
  leadsCursorSchema,
  pagingCursor,
  planLeadsWindow,
  upperBound,
  type LeadsCursor,
  type LeadsWindow,
} from './lead-window.ts'
import { parseInstant } from '../timestamps.ts'
import { inWindow, isLastPage, pageSizeFor, startTimeOf } from './paging.ts'

// a safety net only: 2,000 leads a page times this is far beyond any real account
const MAX_PAGES = 50_000

export function defineLeadsStream(client: SalesRabbitClient, config: SalesRabbitConfig) {
  return defineStream<LeadsCursor>({
    name: 'leads',
    recordSchema: leadRecord.schema,
    columns: columnsOf(leadRecord.schema, ['id']),
    primaryKey: ['id'],
    cursorField: 'date_modified',
    deletedAtField: 'deleted_at',
    write: 'merge',
    cursorSchema: leadsCursorSchema,
    rebuild: (raw, ctx) => rebuildRecord(leadRecord, 'lead', raw, ctx.timeZone),
    read: (request, ctx) => readLeads(client, config, request, ctx),
  })
}

/**
 * Streams the leads page by page (memory stays at one page; the original loaded every
 * incremental page first): If-Modified-Since from the watermark, offset paging from the cursor's
 * page, and the same window re-applied client-side, since the server's filter is not documented as
 * reliable. Each page carries the cursor to resume after it; the last one sets the new watermark.
 */
async function* readLeads(
  client: SalesRabbitClient,
  config: SalesRabbitConfig,
  request: ReadRequest<LeadsCursor>,
  ctx: RunContext,
): AsyncGenerator<Page<LeadsCursor>> {
  const window = planLeadsWindow(request)
  const perPage = pageSizeFor(config, request)
  let previousIds: string | undefined
  for (let page = window.page; ; page++) {
    if (page - window.page >= MAX_PAGES) {
      const message = `SalesRabbit /leads had more pages after ${MAX_PAGES} requests; stopping, not looping`
      throw new SyncError('source_bad_response', message)
    }
    const answer = await client.list('leads', { page, perPage, modifiedSince: window.since ?? undefined }, ctx)
    window.runStart ??= startTimeOf(answer, ctx)
    const ids = answer.data.map((lead) => String(asObject(lead)?.id)).join(',')
    if (answer.data.length > 0 && ids === previousIds) {
      const message =
        `SalesRabbit answered /leads page ${page} with the same leads as page ${page - 1}: ` +
        'it ignores the page parameter, so paging cannot finish'
      throw new SyncError('source_bad_response', message)
    }
    previousIds = ids
    const { records, rejects, schema } = takeLeads(answer.data, window, upperBound(window, request.horizonSeconds), request.timeZone)
    const last = isLastPage(answer, perPage)
    const cursor = last ? finalCursor(window, request.horizonSeconds) : pagingCursor(window, page)
    yield { records, rejects, cursor, schema }
    if (last) return
  }
}

/**
 * The page's leads inside the window, typed; those that do not parse become rejects naming the
 * field. Raises `window.maxSeen` to the newest dateModified taken.
 */
export function takeLeads(data: readonly unknown[], window: LeadsWindow, upper: number | null, zone?: string) {
  const records: SourceRecord[] = []
  const rejects: RejectedRecord[] = []
  const leads: Record<string, unknown>[] = []
  for (const raw of data) {
    const lead = asObject(raw)
    // outside the window: skipped before it is converted, as it always was
    if (lead && !inWindow(lead.dateModified, window.since, upper)) continue
    const result = toRecord(leadRecord, 'lead', raw, zone)
    if ('reject' in result) {
      rejects.push(result.reject)
      continue
    }
    records.push(result.record)
    leads.push(result.object)
    // convert() proved dateModified a valid instant
    const modified = parseInstant(result.object.dateModified as string) as number
    if (window.maxSeen === null || modified > window.maxSeen) window.maxSeen = modified
  }
  return { records, rejects, schema: inferSchema(leadRecord, leads) }
}
