import type { IncomingMessage, ServerResponse } from 'node:http'
import { HttpError } from '../shared/http.ts'
import { DATA_START, makeLead } from './generate-leads.ts'
import type { RateLimiter } from './rate-limit.ts'
import type { Lead } from './records.ts'
import { bearerToken, parseModifiedSince, parsePaging } from './request-params.ts'
import {
  malformLead,
  takeBrokenJson,
  takeMalformed,
  truncateJson,
  type SourceFaults,
} from './source-faults.ts'
import type { SalesRabbitStore } from './store.ts'
import { routeOf } from './request-stats.ts'
import { selectAll, selectPage } from './table.ts'

export interface ApiContext {
  readonly store: SalesRabbitStore
  readonly token: string
  readonly usersEveryPage: boolean
  readonly honorIfModifiedSince: boolean
  readonly rateLimiter?: RateLimiter
  readonly sourceFaults: SourceFaults
}

type Headers = Record<string, string>

/** The error body the emulator answers; SalesRabbit's real error shape is not documented publicly. */
export function errorBody(status: number, message: string) {
  return { error: { code: status, message } }
}

export function sendApiError(res: ServerResponse, status: number, message: string, headers: Headers = {}) {
  const extra: Headers =
    status === 401 ? { 'WWW-Authenticate': 'Bearer realm="SalesRabbit"', ...headers } : headers
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...extra })
  res.end(JSON.stringify(errorBody(status, message)))
}

/** The SalesRabbit REST API: GET /, /leads, /leads/{id}, /users. */
export function createApiHandler(ctx: ApiContext) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator')
    const path = url.pathname
    const route = routeOf(path)
    if (route === 'other') throw new HttpError(404, 'Not Found')
    if (req.method !== 'GET') throw new HttpError(405, 'Method Not Allowed')
    // the root is a liveness answer; a credentials check must use a real endpoint
    if (route === '/') return answer(ctx, res, path, { api: 'OK' })
    if (bearerToken(req) !== ctx.token) return sendApiError(res, 401, 'Unauthorized')

    let headers: Headers = {}
    if (ctx.rateLimiter) {
      const verdict = ctx.rateLimiter.take(Date.now())
      if (!verdict.allowed) return sendApiError(res, 429, 'Too Many Requests', verdict.headers)
      headers = verdict.headers
    }
    if (route === '/leads/:id') {
      return answer(ctx, res, path, { data: findLead(ctx, path.slice('/leads/'.length)) }, headers)
    }

    const paging = parsePaging(url.searchParams)
    const modifiedSince = parseModifiedSince(req, ctx.honorIfModifiedSince)
    const meta = (morePages: boolean) => ({
      currentPage: paging.page,
      morePages,
      resultsPerPage: paging.size,
    })
    if (route === '/users' && ctx.usersEveryPage) {
      // the observed quirk: every page is the whole user list, and there are always "more pages"
      const data = selectAll(ctx.store.users, modifiedSince)
      return answer(ctx, res, path, { data, meta: meta(true) }, headers)
    }
    if (route === '/users') {
      const page = selectPage(ctx.store.users, { ...paging, modifiedSince })
      return answer(ctx, res, path, { data: page.data, meta: meta(page.morePages) }, headers)
    }
    const page = selectPage(ctx.store.leads, { ...paging, modifiedSince })
    const data: unknown[] = page.data
    injectMalformed(ctx, data)
    return answer(ctx, res, path, { data, meta: meta(page.morePages) }, headers)
  }
}

function findLead(ctx: ApiContext, idText: string): Lead {
  const lead = /^\d+$/.test(idText) ? ctx.store.leads.rows.get(Number(idText)) : undefined
  if (!lead) throw new HttpError(404, 'Lead not found')
  return lead
}

function injectMalformed(ctx: ApiContext, data: unknown[]) {
  const kind = takeMalformed(ctx.sourceFaults)
  if (!kind) return
  const template = (data[0] as Lead | undefined) ?? fallbackLead(ctx)
  data.splice(data.length >> 1, 0, malformLead(template, kind, ctx.sourceFaults.served.malformed))
}

function fallbackLead(ctx: ApiContext): Lead {
  const users = [...ctx.store.users.rows.values()]
  const at = DATA_START
  const times = { created: at, modified: at, statusModified: at, ownerModified: at }
  return makeLead(ctx.store.faultRandom, 1, times, users)
}

function answer(ctx: ApiContext, res: ServerResponse, path: string, body: unknown, headers: Headers = {}) {
  let text = JSON.stringify(body)
  if (takeBrokenJson(ctx.sourceFaults, path)) text = truncateJson(text)
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  })
  res.end(text)
}
