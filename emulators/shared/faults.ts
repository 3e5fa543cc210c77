import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'

/**
 * Fault knobs shared by every emulator. Each fault fires for the next `count` matching requests,
 * or for a `rate` fraction of them, and only on request paths matching `path` (a regex) when set.
 * Admin endpoints (`/_admin/...`) are never faulted.
 */
const faultTrigger = z.object({
  count: z.number().int().nonnegative().optional(),
  rate: z.number().min(0).max(1).optional(),
  path: z
    .string()
    .refine((p) => {
      try {
        new RegExp(p)
        return true
      } catch {
        return false
      }
    }, 'not a valid regular expression')
    .optional(),
})

export const faultSettingsSchema = z
  .object({
    /** delay added before every answer */
    latencyMs: z.number().int().nonnegative().default(0),
    /** 5xx answers (status defaults to 503) */
    error5xx: faultTrigger.extend({ status: z.number().int().min(500).max(599).default(503) }).optional(),
    /** the socket is destroyed without an answer (ECONNRESET / "socket hang up" for the client) */
    drop: faultTrigger.optional(),
    /** the source's own throttling answer (429 or its protocol's equivalent) */
    throttle: faultTrigger.extend({ retryAfterSeconds: z.number().nonnegative().optional() }).optional(),
  })
  .strict()

export type FaultSettings = z.infer<typeof faultSettingsSchema>
export type FaultTrigger = z.infer<typeof faultTrigger>

export interface FaultCounters {
  error5xx: number
  drop: number
  throttle: number
}

export interface FaultState {
  settings: FaultSettings
  served: FaultCounters
}

export function createFaultState(): FaultState {
  return { settings: faultSettingsSchema.parse({}), served: { error5xx: 0, drop: 0, throttle: 0 } }
}

/** Decides (and consumes) one trigger for a request path; `random` keeps rate faults reproducible. */
export function fires(trigger: FaultTrigger | undefined, path: string, random: () => number): boolean {
  if (!trigger) return false
  if (trigger.path && !new RegExp(trigger.path).test(path)) return false
  if (trigger.count !== undefined && trigger.count > 0) {
    trigger.count -= 1
    return true
  }
  return trigger.rate !== undefined && random() < trigger.rate
}

export type ThrottleAnswer = (req: IncomingMessage, res: ServerResponse, retryAfterSeconds?: number) => void

/**
 * Applies the configured faults to one request. Returns true when a fault answered (or dropped)
 * the request and the emulator must not handle it.
 */
export async function applyFaults(
  state: FaultState,
  req: IncomingMessage,
  res: ServerResponse,
  throttle: ThrottleAnswer,
  random: () => number,
): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0]
  const { settings } = state
  if (settings.latencyMs > 0) await new Promise((r) => setTimeout(r, settings.latencyMs))
  if (fires(settings.drop, path, random)) {
    state.served.drop++
    req.socket.destroy()
    return true
  }
  if (fires(settings.throttle, path, random)) {
    state.served.throttle++
    throttle(req, res, settings.throttle?.retryAfterSeconds)
    return true
  }
  if (fires(settings.error5xx, path, random)) {
    state.served.error5xx++
    const status = settings.error5xx?.status ?? 503
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ status: 'error', message: `emulated ${status} fault` }))
    return true
  }
  return false
}
