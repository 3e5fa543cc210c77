import { z } from 'zod'
import { readJson, sendJson } from '../shared/http.ts'
import type { RouteInput } from './context.ts'
import { objectNotFound, validationError } from './errors.ts'
import { encodeCursor, nextPage, queryList, renderObject, selectProperties } from './render.ts'
import { idList, isTrue, parseAfterId, parseBody, parseLimit, requireSpec } from './request.ts'
import { pageFrom, propertyOf, tableOf, type HsRecord, type ObjectTable } from './store.ts'

const MAX_LIST_LIMIT = 100
const MAX_BATCH_INPUTS = 100

/** `GET /crm/v3/objects/{type}`: id order, an opaque `after`, only archived records when archived=true */
export async function listObjects({ state, res, url, params }: RouteInput) {
  const spec = requireSpec(params[0])
  const q = url.searchParams
  let limit = parseLimit(q.get('limit'), 10)
  if (limit > MAX_LIST_LIMIT) {
    if (state.settings.maxListLimit === 'reject') {
      throw validationError(`limit must be at most ${MAX_LIST_LIMIT}, got ${limit}`)
    }
    limit = MAX_LIST_LIMIT
  }
  const after = parseAfterId(q.get('after'))
  const archived = isTrue(q.get('archived'))
  const table = tableOf(state.store, spec)
  const names = selectProperties(table, queryList(q, 'properties'))
  const { records } = table
  const { page, next } = pageFrom(records, after, limit, (r) => r.archived === archived)
  const body: Record<string, unknown> = { results: page.map((r) => renderObject(r, names)) }
  if (next) {
    body.paging = nextPage(state.baseUrl, `/crm/v3/objects/${params[0]}`, q, encodeCursor(next.id))
  }
  sendJson(res, 200, body)
}

/** `GET /crm/v3/objects/{type}/{id}`, also by `idProperty` (e.g. email) */
export async function getObject({ state, res, url, params }: RouteInput) {
  const spec = requireSpec(params[0])
  const q = url.searchParams
  const archived = isTrue(q.get('archived'))
  const table = tableOf(state.store, spec)
  const record = lookup(table, params[1], q.get('idProperty'), archived).get(params[1])
  if (!record || record.archived !== archived) throw objectNotFound(params[1])
  sendJson(res, 200, renderObject(record, selectProperties(table, queryList(q, 'properties'))))
}

/**
 * Finds records by id, or by a unique property such as `email` (case-insensitive, as HubSpot
 * matches emails). Answers a map so a batch looks every id up in one pass.
 */
function lookup(
  table: ObjectTable,
  ids: string | string[],
  idProperty: string | null | undefined,
  archived: boolean,
): Map<string, HsRecord> {
  const wanted = typeof ids === 'string' ? [ids] : ids
  const found = new Map<string, HsRecord>()
  if (!idProperty || idProperty === 'hs_object_id') {
    for (const id of wanted) {
      const record = /^\d+$/.test(id) ? table.byId.get(Number(id)) : undefined
      if (record) found.set(id, record)
    }
    return found
  }
  if (!propertyOf(table, idProperty)) {
    throw validationError(`Property "${idProperty}" does not exist or is not a unique property`)
  }
  const byValue = new Map(wanted.map((id) => [id.toLowerCase(), id]))
  for (const record of table.records) {
    const id = byValue.get(record.properties[idProperty]?.toLowerCase() ?? '')
    if (id !== undefined && record.archived === archived) found.set(id, record)
  }
  return found
}

const batchReadSchema = z.object({
  properties: z.array(z.string()).optional(),
  propertiesWithHistory: z.array(z.string()).optional(),
  idProperty: z.string().optional(),
  inputs: idList,
})

/** `POST /crm/v3/objects/{type}/batch/read`: 200 when every id was found, else 207 naming the missing ones */
export async function batchRead({ state, req, res, url, params }: RouteInput) {
  const startedAt = new Date().toISOString()
  const spec = requireSpec(params[0])
  const body = parseBody(batchReadSchema, await readJson(req))
  const count = body.inputs.length
  if (count > MAX_BATCH_INPUTS) {
    throw validationError(`Too many inputs: ${count}. The maximum batch size is ${MAX_BATCH_INPUTS}.`)
  }
  const archived = isTrue(url.searchParams.get('archived'))
  const table = tableOf(state.store, spec)
  const names = selectProperties(table, body.properties)
  const ids = [...new Set(body.inputs.map((input) => input.id))]
  const found = lookup(table, ids, body.idProperty, archived)
  const results: Record<string, unknown>[] = []
  const missing: string[] = []
  for (const id of ids) {
    const record = found.get(id)
    if (record && record.archived === archived) results.push(renderObject(record, names))
    else missing.push(id)
  }
  const answer: Record<string, unknown> = { status: 'COMPLETE', results }
  if (missing.length) {
    const message =
      `Could not get some ${spec.errorName} objects, they may be deleted or not exist. ` +
      'Check that ids are valid.'
    answer.numErrors = 1
    answer.errors = [
      { status: 'error', category: 'OBJECT_NOT_FOUND', message, context: { ids: missing }, errors: [] },
    ]
  }
  Object.assign(answer, { startedAt, completedAt: new Date().toISOString() })
  sendJson(res, missing.length ? 207 : 200, answer)
}
