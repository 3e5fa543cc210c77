import { createHash } from 'node:crypto'
import type { z } from 'zod'
import { SyncError } from '../../errors.ts'
import { backoffMs, parseRetryAfter } from '../../retry.ts'
import { sleep } from '../../sleep.ts'
import type { RunContext } from '../types.ts'
import type { HubSpotConfig } from './config.ts'
import { sharedGovernor, type CallKind, type Governor, type Ticket } from './governor.ts'
import {
  isTransientFailure,
  isTransientStatus,
  readErrorBody,
  terminalError,
} from './http-errors.ts'
import type { ErrorBody } from './responses.ts'

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
/** the first backoff between those tries (src/retry.ts doubles it, with jitter) */
const TRANSIENT_BACKOFF_MS = 200
const MAX_THROTTLED_ATTEMPTS = 10
const SECONDLY_MESSAGE = 'You have reached your secondly limit.'

type Answer = { status: number; text: string; headers: Headers }

export function createHubSpotClient(config: HubSpotConfig): HubSpotClient {
  const base = config.baseUrl.replace(/\/+$/, '')
  // keyed by a hash: the token itself is kept nowhere but the config
  const account = createHash('sha256').update(config.apiToken).digest('hex')
  const governor = sharedGovernor(`${base}|${account}`, config.limits)
  const urlOf = (path: string, query: Record<string, string | undefined> = {}) => {
    const url = new URL(base + path)
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, value)
    }
    return url.toString()
  }
  // a message never carries the token, even if HubSpot echoed it back
  const scrub = (text: string) => text.split(config.apiToken).join('[redacted]')

  /** one HTTP exchange; undefined when the network failed in a way worth another try */
  async function exchange(
    request: HubSpotRequest<unknown>,
    url: string,
    ticket: Ticket,
    ctx: RunContext,
  ): Promise<{ answer: Answer; failure?: never } | { answer?: never; failure: string }> {
    const started = performance.now()
    const report = (status: number | 'error') =>
      ctx.report({ type: 'request', operation: request.operation, status, ms: performance.now() - started })
    try {
      const response = await fetch(url, {
        method: request.method,
        headers: {
          authorization: `Bearer ${config.apiToken}`,
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(config.requestTimeoutMs)]),
      })
      const answer: Answer = { status: response.status, text: await response.text(), headers: response.headers }
      governor.finish(ticket, Date.now(), (name) => response.headers.get(name))
      report(response.status)
      return { answer }
    } catch (error) {
      governor.finish(ticket, Date.now())
      report('error')
      if (ctx.signal.aborted) throw new SyncError('cancelled', `${request.operation} stopped: the run was cancelled`)
      if (!isTransientFailure(error)) {
        const message = scrub(`${request.operation}: ${(error as Error).message}`)
        throw new SyncError('internal', message, { cause: error })
      }
      const timedOut = (error as Error).name === 'TimeoutError'
      return { failure: timedOut ? `no answer within ${config.requestTimeoutMs} ms` : (error as Error).message }
    }
  }

  async function send<T>(request: HubSpotRequest<T>, ctx: RunContext): Promise<T> {
    const kind: CallKind = /\/search$/.test(request.path) ? 'search' : 'standard'
    const url = urlOf(request.path, request.query)
    let transient = 0
    let throttled = 0
    for (;;) {
      const ticket = await pace(governor, kind, ctx)
      const { answer, failure } = await exchange(request, url, ticket, ctx)
      if (!answer) {
        await backoff(++transient, request.operation, failure, ctx)
        continue
      }
      const { status } = answer
      if (status === 200 || status === 201 || (status === 207 && request.multiStatus)) {
        return parseAnswer(request, answer.text, scrub)
      }
      const body = readErrorBody(answer.text)
      if (status === 429) {
        const wait = onThrottled(governor, kind, body, answer.headers, ++throttled, request.operation)
        const reason = `429 ${body.policyName ?? ''} on ${request.operation}`
        ctx.report({ type: 'rate_limit_wait', ms: wait, reason })
        ctx.log.info({ operation: request.operation, attempt: throttled, waitMs: wait }, `HubSpot answered ${reason}; waiting ${wait} ms`)
        await pause(wait, ctx.signal)
        continue
      }
      if (isTransientStatus(status)) {
        const reason = `HTTP ${status}${body.message ? `: ${clip(body.message)}` : ''}`
        await backoff(++transient, request.operation, reason, ctx)
        continue
      }
      const error = terminalError(status, body, request.operation)
      throw new SyncError(error.code, scrub(error.message))
    }
  }

  return { send, urlLength: (path, query) => urlOf(path, query).length }
}

/**
 * A 429: the daily limit ends the run (retrying cannot help until tomorrow); otherwise the wait
 * HubSpot asked for (Retry-After), one second for the secondly limits, or until the governor
 * believes the ten-second window has freed a slot. The governor holds every request of this
 * kind meanwhile, not just this one. A request refused too often goes back to the engine, which
 * resumes the run from its last committed page.
 */
function onThrottled(
  governor: Governor,
  kind: CallKind,
  body: ErrorBody,
  headers: Headers,
  streak: number,
  operation: string,
): number {
  if (body.policyName === 'DAILY' || /daily limit/i.test(body.message ?? '')) {
    const when = "a run after midnight (the account's time zone) can continue"
    throw new SyncError('daily_limit', `HubSpot's daily limit is used up for this account (429 DAILY); ${when}`)
  }
  const now = Date.now()
  const secondly = body.policyName === 'SECONDLY' || body.message === SECONDLY_MESSAGE
  const asked = parseRetryAfter(headers.get('retry-after'), now) ?? (secondly ? 1_000 : undefined)
  const wait = governor.throttled(kind, now, streak, asked)
  if (streak >= MAX_THROTTLED_ATTEMPTS) {
    const message = `HubSpot refused ${operation} with 429 (${body.policyName ?? 'no policy'}) ${streak} times in a row`
    throw new SyncError('rate_limited', message, { retryAfterMs: wait })
  }
  return wait
}

function parseAnswer<T>(request: HubSpotRequest<T>, text: string, scrub: (t: string) => string): T {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    const message = `HubSpot answered ${request.operation} with non-JSON: ${clip(text)}`
    throw new SyncError('source_bad_response', scrub(message))
  }
  const parsed = request.schema.safeParse(json)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const where = issue.path.join('.') || 'the top'
  const message = `HubSpot's answer to ${request.operation} is not as expected at ${where}: ${issue.message}`
  throw new SyncError('source_bad_response', message)
}

/**
 * Waits until the governor lets a request of this kind start, and takes the slot in the same tick
 * as the check (an `await` between them would let concurrent callers take the same slot).
 */
async function pace(governor: Governor, kind: CallKind, ctx: RunContext): Promise<Ticket> {
  for (;;) {
    if (ctx.signal.aborted) throw new SyncError('cancelled', 'the run was cancelled')
    const now = Date.now()
    if (governor.dailyExhausted(now)) {
      throw new SyncError(
        'daily_limit',
        "HubSpot's daily limit is used up (limits.daily, or X-HubSpot-RateLimit-Daily-Remaining reached 0)",
      )
    }
    const wait = governor.delay(kind, now)
    if (!wait) return governor.start(kind, now)
    ctx.report({ type: 'rate_limit_wait', ms: wait.ms, reason: wait.reason })
    await pause(wait.ms, ctx.signal)
  }
}

/** 5xx, resets and timeouts: a few tries with exponential backoff and jitter, then the engine's turn. */
async function backoff(attempt: number, operation: string, reason: string, ctx: RunContext): Promise<void> {
  if (attempt >= MAX_TRANSIENT_ATTEMPTS) {
    const message = `HubSpot failed ${operation} ${attempt} times (last: ${reason})`
    throw new SyncError('source_unavailable', message)
  }
  const waitMs = backoffMs({ baseMs: TRANSIENT_BACKOFF_MS }, attempt)
  ctx.report({ type: 'retry', operation, attempt, reason, waitMs })
  ctx.log.info({ operation, attempt, waitMs }, `HubSpot ${operation} failed (${reason}); retrying in ${waitMs} ms`)
  await pause(waitMs, ctx.signal)
}

/** A wait that the run's cancellation cuts short, ending in the cancellation as an error. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, signal)
  if (signal.aborted) throw new SyncError('cancelled', 'the run was cancelled')
}

const clip = (text: string, max = 200) => (text.length > max ? `${text.slice(0, max)}…` : text)
