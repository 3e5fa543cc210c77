import type { ReadRequest, RunContext } from '../../types.ts'
import type { ListPage } from '../client.ts'
import type { SalesRabbitConfig } from '../config.ts'
import { parseInstant } from '../timestamps.ts'

// our clock can be minutes off the source's: without its Date header, the run start is taken this much earlier
const CLOCK_MARGIN_MS = 5 * 60_000

/** Records asked for per request: the configured page size, or the engine's batch when smaller. */
export const pageSizeFor = (config: SalesRabbitConfig, request: ReadRequest<unknown>) =>
  Math.max(1, Math.min(config.pageSize, request.pageSize))

/**
 * Whether a list answer ends the listing: `morePages` false, an empty page, or a short one. A
 * page is short against the size the server says it used (it may cap ours), not the one asked.
 */
export function isLastPage(answer: ListPage, perPage: number): boolean {
  const size = answer.meta.resultsPerPage > 0 ? Math.min(perPage, answer.meta.resultsPerPage) : perPage
  return !answer.meta.morePages || answer.data.length === 0 || answer.data.length < size
}

/** The source's clock at the run's first answer; ours minus a margin when it sent no usable `Date`. */
export function startTimeOf(answer: ListPage, ctx: RunContext): number {
  if (answer.serverTime !== undefined) return answer.serverTime
  ctx.log.debug('salesrabbit sent no Date header: the run start is our clock minus a margin')
  return ctx.now().getTime() - CLOCK_MARGIN_MS
}

/**
 * Whether a record's dateModified lies in `[since, upper)`. The server's If-Modified-Since filter is
 * not documented as reliable, so the window is applied again here; a record whose stamp does not
 * parse is kept, to become a reject naming the field.
 */
export function inWindow(dateModified: unknown, since: number | null, upper: number | null): boolean {
  const modified = typeof dateModified === 'string' ? parseInstant(dateModified) : undefined
  if (modified === undefined) return true
  return (since === null || modified >= since) && (upper === null || modified < upper)
}
