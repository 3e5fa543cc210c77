import { sendJson } from '../shared/http.ts'
import type { RouteInput } from './context.ts'
import { HubSpotError } from './errors.ts'
import { OWNERS } from './object-types.ts'
import { toWireProperty } from './property-kit.ts'
import { encodeCursor, nextPage, renderOwner } from './render.ts'
import { isTrue, parseAfterId, parseLimit, requireSpec } from './request.ts'
import { pageFrom, tableOf, type HsRecord } from './store.ts'

/** `GET /crm/v3/properties/{type}`: every definition; there are no archived ones */
export async function listProperties({ state, res, url, params }: RouteInput) {
  const { properties } = tableOf(state.store, requireSpec(params[0]))
  const archived = isTrue(url.searchParams.get('archived'))
  sendJson(res, 200, { results: archived ? [] : properties.map(toWireProperty) })
}

/** `GET /crm/v3/properties/{type}/{name}` */
export async function getProperty({ state, res, params }: RouteInput) {
  const spec = requireSpec(params[0])
  const { properties } = tableOf(state.store, spec)
  const index = properties.findIndex((p) => p.name === params[1])
  if (index < 0) {
    const message = `Unable to find property ${params[1]} for object type ${spec.typeId}`
    throw new HubSpotError(404, message, { category: 'OBJECT_NOT_FOUND' })
  }
  sendJson(res, 200, toWireProperty(properties[index], index))
}

/** `GET /crm/v3/owners?limit&after&archived&email`: id order, 100 per page by default, 500 at most */
export async function listOwners({ state, res, url }: RouteInput) {
  const q = url.searchParams
  const limit = Math.min(parseLimit(q.get('limit'), 100), 500)
  const after = parseAfterId(q.get('after'))
  const archived = isTrue(q.get('archived'))
  const email = q.get('email')?.toLowerCase()
  const { records } = tableOf(state.store, OWNERS)
  const keep = (r: HsRecord) =>
    r.archived === archived && (!email || r.properties.email?.toLowerCase() === email)
  const { page, next } = pageFrom(records, after, limit, keep)
  const answer: Record<string, unknown> = { results: page.map(renderOwner) }
  if (next) {
    answer.paging = nextPage(state.baseUrl, '/crm/v3/owners/', q, encodeCursor(next.id))
  }
  sendJson(res, 200, answer)
}

/** `GET /crm/v3/owners/{id}?idProperty=id|userId&archived` */
export async function getOwner({ state, res, url, params }: RouteInput) {
  const q = url.searchParams
  const archived = isTrue(q.get('archived'))
  const { records, byId } = tableOf(state.store, OWNERS)
  const [id] = params
  const byUserId = q.get('idProperty') === 'userId'
  const record = byUserId ? records.find((r) => r.properties.userId === id) : byId.get(Number(id))
  if (!record || record.archived !== archived) {
    const context = { id: [id] }
    throw new HubSpotError(404, `Owner ${id} not found`, { category: 'OBJECT_NOT_FOUND', context })
  }
  sendJson(res, 200, renderOwner(record))
}
