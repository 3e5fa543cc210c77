import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { z } from 'zod'
import { applyFaults, createFaultState, faultSettingsSchema, type FaultState, type ThrottleAnswer } from './faults.ts'

/** What every emulator returns once it listens: where it is, how to reach it, what it holds. */
export interface RunningEmulator {
  readonly url: string
  /** environment variables that point crmsync at this emulator (test credentials included) */
  readonly env: Record<string, string>
  /** row count of each table, keyed by the crmsync stream name */
  tables(): Promise<Record<string, number>>
  close(): Promise<void>
}

export class HttpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export async function readBody(req: IncomingMessage, limit = 50 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > limit) throw new HttpError(413, 'request body too large')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  return parseJsonBody(await readBody(req))
}

/** a body already read (e.g. hashed for a signature first) as JSON; empty is `{}` */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {}
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw new HttpError(400, 'request body is not valid JSON')
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', ...headers })
  res.end(text)
}

export interface AdminHandlers {
  /** POST /_admin/mutate */
  mutate(body: unknown): Promise<unknown>
  /** GET /_admin/tables */
  tables(): Promise<Record<string, number>>
  /** extra admin routes of one emulator: `${METHOD} ${path}` → handler */
  extra?: Record<string, (body: unknown, req: IncomingMessage) => Promise<unknown>>
}

export interface EmulatorServerOptions {
  host?: string
  port?: number
  /** the source's own API */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>
  admin: AdminHandlers
  throttle: ThrottleAnswer
  /** answers an error thrown by `handle` the way the source would */
  sendError(res: ServerResponse, error: HttpError): void
  random: () => number
}

/**
 * One node:http server per emulator: `/_admin/*` for tests and the demo (never faulted), the
 * fault knobs in front of everything else, then the source's own API.
 */
export async function startEmulatorServer(options: EmulatorServerOptions): Promise<{ server: Server; url: string; faults: FaultState; close(): Promise<void> }> {
  const faults = createFaultState()
  const server = createServer(async (req, res) => {
    try {
      const path = (req.url ?? '/').split('?')[0]
      if (path.startsWith('/_admin/')) return await handleAdmin(req, res, path, options.admin, faults)
      if (await applyFaults(faults, req, res, options.throttle, options.random)) return
      await options.handle(req, res)
    } catch (error) {
      if (res.headersSent) return void res.destroy()
      const httpError = error instanceof HttpError ? error : new HttpError(500, String((error as Error)?.message ?? error))
      options.sendError(res, httpError)
    }
  })
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return { server, url, faults, close }
}

async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string, admin: AdminHandlers, faults: FaultState) {
  const route = `${req.method} ${path}`
  try {
    if (route === 'GET /_admin/health') return sendJson(res, 200, { ok: true })
    if (route === 'GET /_admin/tables') return sendJson(res, 200, await admin.tables())
    if (route === 'POST /_admin/mutate') return sendJson(res, 200, await admin.mutate(await readJson(req)))
    if (route === 'GET /_admin/faults') return sendJson(res, 200, faults)
    if (route === 'POST /_admin/faults') {
      const body = await readJson(req)
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'fault settings must be a JSON object')
      // merged before parsing, so a POST changes only the knobs it names (defaults never reset the others)
      const parsed = faultSettingsSchema.safeParse({ ...faults.settings, ...body })
      if (!parsed.success) throw new HttpError(400, `invalid fault settings: ${z.prettifyError(parsed.error)}`)
      faults.settings = parsed.data
      return sendJson(res, 200, faults)
    }
    if (route === 'DELETE /_admin/faults') {
      Object.assign(faults, createFaultState())
      return sendJson(res, 200, faults)
    }
    const extra = admin.extra?.[route]
    if (extra) return sendJson(res, 200, await extra(await readJson(req), req))
    throw new HttpError(404, `no admin route ${route}`)
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 500
    sendJson(res, status, { error: (error as Error).message })
  }
}
