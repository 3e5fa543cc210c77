/**
 * The backoff and the reading of `Retry-After` every retry in crmsync uses: the engine's retries of
 * a run (src/ops/automation/retry-rules.ts) and each client's retries of one request (HubSpot,
 * SalesRabbit, and the AWS SDK's through SalesPro's sdk-retry.ts). A neutral module, so connectors use it without importing the engine or the
 * operations (docs/design.md §1); the retry budget they add up to is in docs/design.md §3.13.
 */

/**
 * The longest wait a source's `Retry-After` is taken at, 120 s: the engine's own longest backoff
 * (`rate_limited`). A source asking for longer is waited 120 s and asked again; a client that
 * will not wait that long inside one request (SalesRabbit's `maxRetryAfterSeconds`) hands the
 * wait to the engine instead, which waits it before resuming from the last committed page.
 */
export const RETRY_AFTER_CAP_MS = 120_000

const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/

/**
 * Epoch ms of an HTTP-date in the form servers send (`Sun, 06 Nov 1994 08:49:37 GMT`: the `Date`
 * and `Retry-After` headers), or undefined. Strict: `Date.parse` alone reads `-1` as a year.
 */
export function parseHttpDate(text: string | null | undefined): number | undefined {
  if (!text || !HTTP_DATE.test(text.trim())) return undefined
  const ms = Date.parse(text)
  return Number.isFinite(ms) ? ms : undefined
}

/**
 * `Retry-After` in ms: delta-seconds (a fraction is read too) or an HTTP-date (a date in the past
 * is 0), at most `RETRY_AFTER_CAP_MS`; undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  const value = header?.trim()
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Math.round(Number(value) * 1000), RETRY_AFTER_CAP_MS)
  const at = parseHttpDate(value)
  return at === undefined ? undefined : Math.min(Math.max(0, at - now), RETRY_AFTER_CAP_MS)
}

export interface Backoff {
  /** the first wait's ceiling; it doubles with each attempt */
  baseMs: number
  /** the ceiling no wait goes past @default unbounded */
  maxMs?: number
}

/**
 * Exponential backoff with jitter, before attempt `attempt + 1`: uniform in
 * [base/2, min(max, base·2^(attempt−1))].
 */
export function backoffMs(rule: Backoff, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(rule.maxMs ?? Number.POSITIVE_INFINITY, rule.baseMs * 2 ** (attempt - 1))
  return Math.round(rule.baseMs / 2 + random() * Math.max(0, ceiling - rule.baseMs / 2))
}
