import { z } from 'zod'
import { SyncError } from '../../errors.ts'
import { backoffMs, parseRetryAfter, RETRY_AFTER_CAP_MS } from '../../retry.ts'
import { sleep } from '../../sleep.ts'
import type { RunContext } from '../types.ts'
import type { SalesRabbitConfig } from './config.ts'
import { errorMessageOf, pageEnvelopeSchema, type PageEnvelope } from './responses.ts'
import { formatInstant, parseHttpDate } from './timestamps.ts'

export type Resource = 'leads' | 'users'

export interface ListQuery {
  /** 1-based */
  page: number
  perPage: number
  /** sent as `If-Modified-Since` (epoch ms); undefined sends no header */
  modifiedSince?: number
}

export interface ListPage extends PageEnvelope {
  /** the source's clock when it answered (its `Date` header), epoch ms */
  serverTime: number | undefined
}

/** The SalesRabbit client layer: auth, pacing, retries and the list envelope; no stream logic. */
export interface SalesRabbitClient {
  list(resource: Resource, query: ListQuery, ctx: RunContext): Promise<ListPage>
}

type Outcome = { status: number | 'error' } & (
  | { kind: 'ok'; body: unknown; serverTime: number | undefined }
  | { kind: 'transient'; reason: string }
  | { kind: 'throttled'; waitMs: number | undefined; header: string | null }
  | { kind: 'fatal'; error: SyncError }
)

/**
 * A fetch error is never an empty answer (the original returned [] and the run "succeeded"):
 * transient failures are retried a few times with backoff, then fail the run retryable so the
 * engine resumes from the last committed page; everything else fails it at once.
 */
export function createSalesRabbitClient(config: SalesRabbitConfig): SalesRabbitClient {
  const base = config.apiUrl.replace(/\/+$/, '')
  const redact = (text: string) => text.split(config.apiToken).join('[redacted]')
  let nextSlot = 0

  // spaces requests evenly when a rate is configured, instead of bursting into 429s
  async function pace(ctx: RunContext): Promise<void> {
    if (!config.requestsPerMinute) return
    const now = Date.now()
    const wait = nextSlot - now
    nextSlot = Math.max(now, nextSlot) + 60_000 / config.requestsPerMinute
    if (wait <= 0) return
    const reason = `pacing to ${config.requestsPerMinute} requests a minute`
    ctx.report({ type: 'rate_limit_wait', ms: wait, reason })
    await sleep(wait, ctx.signal)
  }

  async function attempt(
    url: string,
    headers: Record<string, string>,
    what: string,
    ctx: RunContext,
  ): Promise<Outcome> {
    const timeout = AbortSignal.timeout(config.timeoutSeconds * 1000)
    const response = await fetch(url, { headers, signal: AbortSignal.any([ctx.signal, timeout]) })
    const text = await response.text()
    const { status } = response
    if (status === 429) {
      const header = response.headers.get('retry-after')
      return { status, kind: 'throttled', waitMs: parseRetryAfter(header, Date.now()), header }
    }
    if (status >= 500 || status === 408) {
      const reason = `${status} ${response.statusText}: ${redact(errorMessageOf(text))}`
      return { status, kind: 'transient', reason }
    }
    if (status === 401 || status === 403) {
      const why =
        status === 403
          ? 'the token has no API access (a Pro or Enterprise plan is needed)'
          : 'the token is not valid'
      const answer = `${status} ${redact(errorMessageOf(text))}`
      const message = `SalesRabbit refused the token (${answer}: ${why}); check SALESRABBIT_API_TOKEN`
      return { status, kind: 'fatal', error: new SyncError('auth_failed', message) }
    }
    const serverTime = parseHttpDate(response.headers.get('date'))
    // If-Modified-Since is an HTTP header after all: a 304 can only mean "nothing changed since then"
    if (status === 304) {
      const body = { data: [], meta: { currentPage: 0, morePages: false, resultsPerPage: 0 } }
      return { status, kind: 'ok', body, serverTime }
    }
    if (status < 200 || status >= 300) {
      const message = `SalesRabbit answered ${status} to ${what}: ${redact(errorMessageOf(text))}`
      return { status, kind: 'fatal', error: new SyncError('source_bad_response', message) }
    }
    try {
      return { status, kind: 'ok', body: JSON.parse(text), serverTime }
    } catch {
      const reason = `the ${status} answer is not valid JSON (${text.length} characters; cut short?)`
      return { status, kind: 'transient', reason }
    }
  }

  async function send(
    url: string,
    headers: Record<string, string>,
    operation: string,
    what: string,
    ctx: RunContext,
  ) {
    let failures = 0
    let throttles = 0
    for (;;) {
      await pace(ctx)
      const started = performance.now()
      let outcome: Outcome
      try {
        outcome = await attempt(url, headers, what, ctx)
      } catch (error) {
        if (ctx.signal.aborted) throw new SyncError('cancelled', `${what}: stopped`, { cause: error })
        outcome = { status: 'error', kind: 'transient', reason: networkReason(error, config.timeoutSeconds) }
      }
      ctx.report({ type: 'request', operation, status: outcome.status, ms: performance.now() - started })
      if (outcome.kind === 'ok') return outcome
      if (outcome.kind === 'fatal') throw outcome.error
      if (outcome.kind === 'throttled') {
        throttles++
        const wait = outcome.waitMs ?? backoffMs({ baseMs: config.retryBaseMs || 1000, maxMs: RETRY_AFTER_CAP_MS }, throttles)
        const asked = `Retry-After ${outcome.header ?? 'absent'}`
        if (throttles > config.maxRateLimitWaits || wait > config.maxRetryAfterSeconds * 1000) {
          const message =
            `SalesRabbit kept answering 429 Too Many Requests to ${what} (${throttles} times, ${asked}); ` +
            'set sources.salesrabbit.requestsPerMinute to pace requests'
          throw new SyncError('rate_limited', message, { retryAfterMs: wait })
        }
        const reason = `429 Too Many Requests from ${operation} (${asked})`
        ctx.report({ type: 'rate_limit_wait', ms: wait, reason })
        await sleep(wait, ctx.signal)
        continue
      }
      failures++
      if (failures >= config.maxAttempts) {
        const times = failures > 1 ? `${failures} times` : 'once'
        const message = `SalesRabbit ${what} failed ${times} (last: ${outcome.reason})`
        throw new SyncError('source_unavailable', message)
      }
      const waitMs = backoffMs({ baseMs: config.retryBaseMs }, failures)
      ctx.report({ type: 'retry', operation, attempt: failures + 1, reason: outcome.reason, waitMs })
      ctx.log.info({ operation, attempt: failures + 1, waitMs }, `SalesRabbit ${what} failed (${outcome.reason}); retrying in ${waitMs} ms`)
      await sleep(waitMs, ctx.signal)
    }
  }

  return {
    async list(resource, query, ctx) {
      const params = new URLSearchParams({ page: String(query.page), perPage: String(query.perPage) })
      const what = `GET /${resource}?${params}`
      const headers: Record<string, string> = {
        authorization: `Bearer ${config.apiToken}`,
        accept: 'application/json',
      }
      if (query.modifiedSince !== undefined) headers['if-modified-since'] = formatInstant(query.modifiedSince)
      const answer = await send(`${base}/${resource}?${params}`, headers, `GET /${resource}`, what, ctx)
      const envelope = pageEnvelopeSchema.safeParse(answer.body)
      if (!envelope.success) {
        const problem = z.prettifyError(envelope.error)
        const message = `SalesRabbit answered ${what} with an unexpected shape: ${problem}`
        throw new SyncError('source_bad_response', message)
      }
      return { ...envelope.data, serverTime: answer.serverTime }
    },
  }
}

function networkReason(error: unknown, timeoutSeconds: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e?.name === 'TimeoutError') return `no complete answer within ${timeoutSeconds} s`
  const cause = e?.cause
  return [cause?.code, cause?.message ?? e?.message].filter(Boolean).join(' ') || String(error)
}
