import { createHash } from 'node:crypto'
import type { z } from 'zod'
import { SyncError } from '../../errors.ts'
import type { RunContext } from '../types.ts'
import type { HubSpotConfig } from './config.ts'
import { sharedGovernor, type CallKind, type Governor } from './governor.ts'
import { isTransientFailure, isTransientStatus, readErrorBody, retryAfterMs, terminalError } from './http-errors.ts'

/**
 * The HubSpot client layer: auth, pacing (the governor), retries and response validation; no
 * stream logic.
 *
 * It uses global fetch rather than `@hubspot/api-client` 13.5's `apiRequest`: that call takes no
 * AbortSignal and no timeout (a stalled answer would hang a run and cancellation could not stop
 * it), opens a new connection per call (node-fetch 2 without an agent), and its retry and limiter
 * decorators live in a process-wide singleton that the LAST `new Client()` anywhere in the process
 * configures, so another client could silently add its 10-second retry waits to ours.
 */
export interface HubSpotRequest<T> {
  method: 'GET' | 'POST'
  /** e.g. `/crm/v3/objects/0-1` */
  path: string
  query?: Record<string, string | undefined>
  body?: unknown
  schema: z.ZodType<T>
  /** names the call in metrics, logs and errors, e.g. `contacts:list` */
  operation: string
  /** 207 Multi-Status is an answer too (batch reads report per-input errors in it) */
  multiStatus?: boolean
}

export interface HubSpotClient {
  send<T>(request: HubSpotRequest<T>, ctx: RunContext): Promise<T>
  /** the length of the URL a GET would use, to keep under HubSpot's URL limit */
  urlLength(path: string, query: Record<string, string | undefined>): number
}

const MAX_TRANSIENT_ATTEMPTS = 4
const MAX_THROTTLED_ATTEMPTS = 10

export function createHubSpotClient(config: HubSpotConfig): HubSpotClient {
  const base = config.baseUrl.replace(/\/+$/, '')
  // keyed by a hash: the token itself is never kept anywhere but the config
  const governor = sharedGovernor(`${base}|${createHash('sha256').update(config.apiToken).digest('hex')}`, config.limits)
  const urlOf = (path: string, query: Record<string, string | undefined> = {}) => {
    const url = new URL(base + path)
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value)
    return url.toString()
  }
  // a message never carries the token, even if HubSpot echoed it back
  const scrub = (text: string) => text.split(config.apiToken).join('[redacted]')

  async function send<T>(request: HubSpotRequest<T>, ctx: RunContext): Promise<T> {
    const kind: CallKind = /\/search$/.test(request.path) ? 'search' : 'standard'
    const url = urlOf(request.path, request.query)
    let transient = 0
    let throttled = 0
    for (;;) {
      await pace(governor, kind, ctx)
      const ticket = governor.start(kind, Date.now())
      const started = performance.now()
      let response: Response
      let text: string
      try {
        response = await fetch(url, {
          method: request.method,
          headers: {
            authorization: `Bearer ${config.apiToken}`,
            accept: 'application/json',
            ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(config.requestTimeoutMs)]),
        })
        text = await response.text()
      } catch (error) {
        governor.finish(ticket, Date.now())
        ctx.report({ type: 'request', operation: request.operation, status: 'error', ms: performance.now() - started })
        if (ctx.signal.aborted) throw new SyncError('cancelled', `${request.operation} stopped: the run was cancelled`)
        if (!isTransientFailure(error)) throw new SyncError('internal', scrub(`${request.operation}: ${(error as Error).message}`), { cause: error })
        const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${config.requestTimeoutMs} ms` : (error as Error).message
        await backoff(++transient, request.operation, reason, ctx)
        continue
      }
      governor.finish(ticket, Date.now(), (name) => response.headers.get(name))
      ctx.report({ type: 'request', operation: request.operation, status: response.status, ms: performance.now() - started })

      if (response.status === 200 || response.status === 201 || (response.status === 207 && request.multiStatus)) {
        return parseAnswer(request, text, scrub)
      }
      const body = readErrorBody(text)
      if (response.status === 429) {
        if (body.policyName === 'DAILY' || /daily limit/i.test(body.message ?? '')) {
          throw new SyncError('rate_limited', "HubSpot's daily limit is used up for this account (429 DAILY); the next run after midnight (the account's time zone) can continue")
        }
        throttled++
        const asked = retryAfterMs(response.headers.get('retry-after'), Date.now())
        const secondly = body.policyName === 'SECONDLY' || body.message === 'You have reached your secondly limit.'
        // the governor holds every request of this kind, not just this one, while the window frees
        const held = secondly ? 1_000 : governor.throttled(kind, Date.now(), throttled)
        const wait = asked ?? held
        if (throttled >= MAX_THROTTLED_ATTEMPTS) {
          throw new SyncError('rate_limited', `HubSpot kept refusing ${request.operation} with 429 (${body.policyName ?? 'no policy named'}) ${throttled} times`, { retryable: true, retryAfterMs: wait })
        }
        ctx.report({ type: 'rate_limit_wait', ms: wait, reason: `429 ${body.policyName ?? ''} on ${request.operation}`.trim() })
        await sleep(wait, ctx.signal)
        continue
      }
      if (isTransientStatus(response.status)) {
        await backoff(++transient, request.operation, `HTTP ${response.status}${body.message ? `: ${clip(body.message)}` : ''}`, ctx)
        continue
      }
      const error = terminalError(response.status, body, request.operation)
      throw new SyncError(error.code, scrub(error.message), { retryable: error.retryable })
    }
  }

  return { send, urlLength: (path, query) => urlOf(path, query).length }
}

function parseAnswer<T>(request: HubSpotRequest<T>, text: string, scrub: (t: string) => string): T {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new SyncError('source_bad_response', scrub(`HubSpot answered ${request.operation} with something that is not JSON: ${clip(text, 200)}`))
  }
  const parsed = request.schema.safeParse(json)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  throw new SyncError('source_bad_response', `HubSpot's answer to ${request.operation} has an unexpected shape at ${issue.path.join('.') || 'the top'}: ${issue.message}`)
}

/** Waits until the governor lets a request of this kind start; reports each wait. */
async function pace(governor: Governor, kind: CallKind, ctx: RunContext): Promise<void> {
  for (;;) {
    if (ctx.signal.aborted) throw new SyncError('cancelled', 'the run was cancelled')
    const now = Date.now()
    if (governor.dailyExhausted(now)) {
      throw new SyncError('rate_limited', "HubSpot's daily limit is used up (the configured limits.daily, or HubSpot's X-HubSpot-RateLimit-Daily-Remaining reached 0)")
    }
    const wait = governor.delay(kind, now)
    if (!wait) return
    ctx.report({ type: 'rate_limit_wait', ms: wait.ms, reason: wait.reason })
    await sleep(wait.ms, ctx.signal)
  }
}

/** 5xx, resets and timeouts: a few tries with exponential backoff and jitter, then the engine's turn. */
async function backoff(attempt: number, operation: string, reason: string, ctx: RunContext): Promise<void> {
  if (attempt >= MAX_TRANSIENT_ATTEMPTS) {
    throw new SyncError('source_unavailable', `HubSpot failed ${operation} ${attempt} times (last: ${reason})`, { retryable: true })
  }
  const waitMs = Math.round(200 * 2 ** (attempt - 1) * (0.5 + Math.random()))
  ctx.report({ type: 'retry', operation, attempt, reason, waitMs })
  ctx.log.debug({ operation, attempt, waitMs }, `HubSpot ${operation} failed (${reason}); retrying`)
  await sleep(waitMs, ctx.signal)
}

const clip = (text: string, max = 200) => (text.length > max ? `${text.slice(0, max)}…` : text)

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new SyncError('cancelled', 'the run was cancelled'))
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(new SyncError('cancelled', 'the run was cancelled'))
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
