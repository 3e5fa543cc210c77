import type { IncomingMessage, ServerResponse } from 'node:http'
import { sendJson } from '../shared/http.ts'
import type { EmulatorState, RouteHandler } from './context.ts'
import { correlationIdOf, HubSpotError, invalidAuthentication } from './errors.ts'
import { findObjectSpec } from './object-types.ts'
import type { Policy } from './rate-limit.ts'
import { batchReadAssociations, listAssociations } from './routes-associations.ts'
import { getOwner, getProperty, listOwners, listProperties } from './routes-meta.ts'
import { batchRead, getObject, listObjects } from './routes-objects.ts'
import { searchObjects } from './routes-search.ts'
import { recordRequest } from './stats.ts'

interface Route {
  readonly method: string
  /** `{type}` and `{toType}` segments name object types; the stats key shows their stream name */
  readonly path: string
  readonly pattern: RegExp
  readonly handler: RouteHandler
}

const route = (method: string, path: string, handler: RouteHandler): Route => ({
  method,
  path,
  pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '([^/]+)')}$`),
  handler,
})

const ROUTES: readonly Route[] = [
  route('POST', '/crm/v3/objects/{type}/search', searchObjects),
  route('POST', '/crm/v3/objects/{type}/batch/read', batchRead),
  route('GET', '/crm/v3/objects/{type}', listObjects),
  route('GET', '/crm/v3/objects/{type}/{id}', getObject),
  route('POST', '/crm/v4/associations/{type}/{toType}/batch/read', batchReadAssociations),
  route('GET', '/crm/v4/objects/{type}/{id}/associations/{toType}', listAssociations),
  route('GET', '/crm/v3/properties/{type}', listProperties),
  route('GET', '/crm/v3/properties/{type}/{name}', getProperty),
  route('GET', '/crm/v3/owners', listOwners),
  route('GET', '/crm/v3/owners/{id}', getOwner),
]

// the SDK's owners call ends in a slash; HubSpot treats both spellings alike
const normalize = (path: string) => (path.length > 1 ? path.replace(/\/+$/, '') : path)
const isSearch = (path: string) => /^\/crm\/v3\/objects\/[^/]+\/search$/.test(path)

/** the route, its decoded captures, and the stats key (`POST /crm/v3/objects/contacts/search`) */
function match(method: string, path: string) {
  for (const r of ROUTES) {
    const m = r.method === method ? r.pattern.exec(path) : null
    if (!m) continue
    const params = m.slice(1).map((p) => decodeURIComponent(p))
    const names = r.path.match(/\{\w+\}/g) ?? []
    const key = names.reduce((k, name, i) => {
      const spec = name === '{type}' || name === '{toType}' ? findObjectSpec(params[i]) : undefined
      return spec ? k.replace(name, spec.stream) : k
    }, `${method} ${r.path}`)
    return { route: r, params, key }
  }
  return undefined
}

/** The HubSpot API: correlation id, auth, the rate limiter, then the route. Every answer is counted. */
export async function handleApi(state: EmulatorState, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', state.baseUrl)
  const path = normalize(url.pathname)
  const method = req.method ?? 'GET'
  const found = match(method, path)
  const search = isSearch(path)
  correlationIdOf(res)
  const key = found?.key ?? `${method} (unmatched)`
  res.once('finish', () => recordRequest(state.stats, key, res.statusCode, search))

  if (req.headers.authorization !== `Bearer ${state.settings.token}`) throw invalidAuthentication()
  const verdict = state.limiter.check(search ? 'search' : 'standard', Date.now())
  for (const [name, value] of Object.entries(verdict.headers)) res.setHeader(name, value)
  if (verdict.exceeded) return sendRateLimited(state, res, verdict.exceeded)
  if (!found) throw new HubSpotError(404, `No route for ${method} ${path}`, { category: 'OBJECT_NOT_FOUND' })
  await found.route.handler({ state, req, res, url, params: found.params })
}

function sendRateLimited(state: EmulatorState, res: ServerResponse, policy: Policy, retryAfter?: number) {
  const body = state.limiter.body(policy, correlationIdOf(res))
  sendJson(res, 429, body, retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) })
}

/** the shared throttle fault answers as the limiter would: SECONDLY on search, else TEN_SECONDLY_ROLLING */
export function throttleAnswer(state: EmulatorState) {
  return (req: IncomingMessage, res: ServerResponse, retryAfterSeconds?: number) => {
    const path = normalize((req.url ?? '/').split('?')[0])
    const method = req.method ?? 'GET'
    const search = isSearch(path)
    const key = match(method, path)?.key ?? `${method} (unmatched)`
    correlationIdOf(res)
    res.once('finish', () => recordRequest(state.stats, key, res.statusCode, search))
    sendRateLimited(state, res, search ? 'SECONDLY' : 'TEN_SECONDLY_ROLLING', retryAfterSeconds)
  }
}
