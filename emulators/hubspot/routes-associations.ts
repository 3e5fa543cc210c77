import { z } from 'zod'
import { readJson, sendJson } from '../shared/http.ts'
import { findKind, linkedIds, type AssociationType } from './associations.ts'
import type { EmulatorState, RouteInput } from './context.ts'
import { validationError } from './errors.ts'
import type { ObjectSpec } from './object-types.ts'
import { encodeCursor } from './render.ts'
import { parseAfterId, parseBody, parseLimit, requireSpec } from './request.ts'
import { isLive, tableOf } from './store.ts'

/** how many linked ids one input's page holds before `paging.next` appears */
const PAGE = 500
const MAX_INPUTS = 1000

const batchSchema = z.object({
  inputs: z.array(
    z.object({ id: z.union([z.string(), z.number()]).transform(String), after: z.string().optional() }),
  ),
})

interface Linked {
  readonly ids: number[]
  readonly types: readonly AssociationType[]
}

/** the live ids linked to one live object, ascending, with the types reported in this direction */
function linked(state: EmulatorState, from: ObjectSpec, to: ObjectSpec, id: string): Linked {
  const found = findKind(from, to)
  const live = /^\d+$/.test(id) && isLive(tableOf(state.store, from), Number(id))
  if (!found || !live) return { ids: [], types: [] }
  const toTable = tableOf(state.store, to)
  const ids = linkedIds(state.store.associations, found.kind, found.reversed, Number(id))
  const types = found.reversed ? found.kind.backward : found.kind.forward
  return { ids: ids.filter((t) => isLive(toTable, t)), types }
}

function pageOf(ids: number[], after: string | undefined, limit: number) {
  const start = parseAfterId(after)
  const rest = ids.filter((id) => id >= start)
  return { page: rest.slice(0, limit), next: rest.length > limit ? encodeCursor(rest[limit]) : undefined }
}

const toEntries = (ids: number[], types: readonly AssociationType[]) =>
  ids.map((toObjectId) => ({ toObjectId, associationTypes: types }))

/** `POST /crm/v4/associations/{from}/{to}/batch/read`: 207, a NO_ASSOCIATIONS_FOUND error per empty input */
export async function batchReadAssociations({ state, req, res, params }: RouteInput) {
  const startedAt = new Date().toISOString()
  const from = requireSpec(params[0])
  const to = requireSpec(params[1])
  const { inputs } = parseBody(batchSchema, await readJson(req))
  if (inputs.length > MAX_INPUTS) {
    throw validationError(`Too many inputs: ${inputs.length}. The maximum batch size is ${MAX_INPUTS}.`)
  }
  const results: Record<string, unknown>[] = []
  const errors: Record<string, unknown>[] = []
  for (const input of inputs) {
    const { ids, types } = linked(state, from, to, input.id)
    const { page, next } = pageOf(ids, input.after, PAGE)
    if (page.length === 0) {
      errors.push(noAssociations(from, to, input.id))
      continue
    }
    const paging = next ? { paging: { next: { after: next, link: null } } } : {}
    results.push({ from: { id: input.id }, to: toEntries(page, types), ...paging })
  }
  const answer: Record<string, unknown> = { status: 'COMPLETE', results }
  if (errors.length) Object.assign(answer, { numErrors: errors.length, errors })
  Object.assign(answer, { startedAt, completedAt: new Date().toISOString() })
  sendJson(res, errors.length ? 207 : 200, answer)
}

function noAssociations(from: ObjectSpec, to: ObjectSpec, id: string) {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
    message: `No ${to.singular} is associated with ${from.singular} ${id}.`,
    context: { fromObjectId: [id], fromObjectType: [from.singular], toObjectType: [to.singular] },
    errors: [],
  }
}

/** `GET /crm/v4/objects/{type}/{id}/associations/{toType}?limit&after` */
export async function listAssociations({ state, res, url, params }: RouteInput) {
  const from = requireSpec(params[0])
  const to = requireSpec(params[2])
  const limit = Math.min(parseLimit(url.searchParams.get('limit'), PAGE), PAGE)
  const { ids, types } = linked(state, from, to, params[1])
  const { page, next } = pageOf(ids, url.searchParams.get('after') ?? undefined, limit)
  const answer: Record<string, unknown> = { results: toEntries(page, types) }
  if (next) {
    const link = new URL(`/crm/v4/objects/${params[0]}/${params[1]}/associations/${params[2]}`, state.baseUrl)
    link.search = new URLSearchParams({ after: next, limit: String(limit) }).toString()
    answer.paging = { next: { after: next, link: link.toString() } }
  }
  sendJson(res, 200, answer)
}
