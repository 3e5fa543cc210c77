import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context, MiddlewareHandler } from 'hono'
import type { Logger } from '../log.ts'
import { redactSecrets } from '../redact.ts'
import { insertAuditEvent } from '../warehouse/sql/audit.ts'
import type { Warehouse } from '../warehouse/types.ts'

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** The client's address as the socket saw it; `unknown` off a socket (a test's `app.request`). */
function addressOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** What the request acted on, in words: `run 12`, `schedule 3`, `alert 7`, `salespro.customer`, `salespro`. */
function targetOf(path: string, body: unknown): string {
  const parts = path.split('/').filter(Boolean).slice(1)
  // a sync or a new schedule names its target in the body
  const named = body as { source?: unknown; streams?: unknown; stream?: unknown } | undefined
  if ((parts[0] === 'sync' || (parts[0] === 'schedules' && !parts[1])) && typeof named?.source === 'string') {
    const streams = Array.isArray(named.streams) ? named.streams : typeof named.stream === 'string' ? [named.stream] : []
    return streams.length ? streams.map((s) => `${named.source}.${String(s)}`).join(', ') : String(named.source)
  }
  if (parts[0] === 'runs' && parts[1]) return `run ${parts[1]}`
  if (parts[0] === 'alerts' && parts[1]) return `alert ${parts[1]}`
  if (parts[0] === 'schedules' && parts[1]) return `schedule ${parts[1]}`
  if (parts[0] === 'streams' && parts[2]) return `${parts[1]}.${parts[2]}`
  if (parts[0] === 'sources' && parts[1]) return parts[1]
  return parts[0] ?? path
}

/**
 * Records every state-changing request to the API in crmsync.audit_events — refused ones too (a
 * wrong token is worth knowing about): when, what, on what, from which address, how it ended, and
 * the body it sent (redacted, at most 2 KB). Registered before the access control, so it sees its
 * refusals; a failed write of the record is logged and never fails the request.
 */
export function auditTrail(warehouse: Warehouse, log: Logger): MiddlewareHandler {
  return async (c, next) => {
    await next()
    if (!CHANGES.has(c.req.method) || !c.req.path.startsWith('/api/')) return
    let detail: unknown
    try {
      const text = redactSecrets(JSON.stringify(await c.req.json()))
      detail = text.length <= 2048 ? JSON.parse(text) : { truncated: text.slice(0, 2048) }
    } catch {
      detail = undefined
    }
    const event = { action: `${c.req.method} ${c.req.path}`, target: targetOf(c.req.path, detail), address: addressOf(c), status: c.res.status, detail }
    await insertAuditEvent(warehouse, event).catch((error) => log.warn({ err: error, action: event.action }, 'the audit record of a dashboard action could not be written'))
  }
}
