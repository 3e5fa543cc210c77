import { z } from 'zod'
import { readJson, sendJson } from '../shared/http.ts'
import type { EmulatorState, RouteInput } from './context.ts'
import { validationError } from './errors.ts'
import type { ObjectSpec } from './object-types.ts'
import { renderObject, selectProperties } from './render.ts'
import { parseBody, parseLimit, requireSpec } from './request.ts'
import {
  checkFilterLimits,
  compileGroups,
  compileQuery,
  filterSchema,
  sortRecords,
  sortSchema,
} from './search-filter.ts'
import { tableOf, type HsRecord } from './store.ts'

/** the search index never pages past this many results, whatever `total` says */
export const SEARCH_WINDOW = 10_000
const MAX_SEARCH_LIMIT = 200

const searchSchema = z.object({
  filterGroups: z.array(z.object({ filters: z.array(filterSchema).default([]) })).default([]),
  sorts: z.array(sortSchema).default([]),
  properties: z.array(z.string()).optional(),
  limit: z.union([z.number(), z.string()]).optional(),
  after: z.union([z.string(), z.number()]).nullable().optional(),
  query: z.string().optional(),
})

/** `POST /crm/v3/objects/{type}/search`: `after` is an offset and the window ends at 10,000 */
export async function searchObjects({ state, req, res, params }: RouteInput) {
  const spec = requireSpec(params[0])
  const body = parseBody(searchSchema, await readJson(req))
  const limit = parseLimit(body.limit, 10)
  if (limit > MAX_SEARCH_LIMIT) {
    throw validationError(`limit must be at most ${MAX_SEARCH_LIMIT}, got ${limit}`)
  }
  const afterRaw = String(body.after ?? '0')
  if (!/^\d+$/.test(afterRaw)) {
    throw validationError(`Invalid "after" value: ${afterRaw}. It is a result offset.`)
  }
  const offset = Number(afterRaw)
  if (offset + limit > SEARCH_WINDOW) {
    // HubSpot's own text starts like this; the rest says which limit it is
    const message =
      `There was a problem with the request. Search results are limited to ${SEARCH_WINDOW} per query: ` +
      `after (${offset}) + limit (${limit}) exceeds ${SEARCH_WINDOW}.`
    throw validationError(message, { context: { after: [afterRaw], limit: [String(limit)] } })
  }
  checkFilterLimits(body.filterGroups)

  const matched = visible(state, matches(state, spec, body))
  const names = selectProperties(tableOf(state.store, spec), body.properties)
  const page = matched.slice(offset, offset + limit)
  const results = page.map((r) => renderObject(r, names))
  const answer: Record<string, unknown> = { total: matched.length, results }
  if (offset + limit < matched.length) answer.paging = { next: { after: String(offset + limit) } }
  sendJson(res, 200, answer)
}

type SearchBody = z.infer<typeof searchSchema>

/** matched and sorted live records, cached per query until the next write */
function matches(state: EmulatorState, spec: ObjectSpec, body: SearchBody): HsRecord[] {
  const key = JSON.stringify([spec.stream, body.filterGroups, body.sorts.slice(0, 1), body.query ?? ''])
  const cached = state.searchCache.get(key)
  if (cached && cached.version === state.store.version) return cached.records
  const table = tableOf(state.store, spec)
  const predicate = compileGroups(table, body.filterGroups)
  const query = compileQuery(body.query)
  const found = table.records.filter((r) => !r.archived && predicate(r) && query(r))
  const records = sortRecords(table, body.sorts, found)
  state.searchCache.delete(key)
  state.searchCache.set(key, { version: state.store.version, records })
  // a handful of live queries at once is all a sync issues; drop the oldest beyond that
  while (state.searchCache.size > 16) state.searchCache.delete(state.searchCache.keys().next().value!)
  return records
}

/** the index lag: a record written less than `searchLagMs` ago is not searchable yet */
function visible(state: EmulatorState, records: HsRecord[]): HsRecord[] {
  const lag = state.settings.searchLagMs
  if (lag <= 0) return records
  const horizon = Date.now() - lag
  return records.filter((r) => r.writtenAt <= horizon)
}
