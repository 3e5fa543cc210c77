import type { Notification, Severity } from '../types.ts'

/** One place notifications go. `send` throws when the delivery failed; `deliver` retries it. */
export interface AlertChannel {
  /** log | slack | webhook | email: what `alerts test` and crmsync.alert_deliveries call it */
  readonly name: string
  /** notifications of alerts below this severity are not sent here (tests always are) */
  readonly minSeverity: Severity
  send(notification: Notification, signal: AbortSignal): Promise<void>
}

/** A failure that trying again cannot fix (a 404 webhook, a rejected recipient): no more attempts. */
export function permanentError(message: string): Error {
  return Object.assign(new Error(message), { permanent: true })
}

export const isPermanent = (error: unknown) => (error as { permanent?: unknown } | null)?.permanent === true

/**
 * POSTs JSON and throws on anything but 2xx. The error names the host only: a Slack webhook URL's
 * path is its credential. 408, 429 and 5xx may pass; other 4xx mean the request itself is wrong.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<void> {
  const host = new URL(url).host
  let response: Response
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal })
  } catch (error) {
    const cause = (error as Error).name === 'TimeoutError' ? 'timed out' : ((error as { cause?: Error }).cause?.message ?? (error as Error).message)
    throw new Error(`POST to ${host} failed: ${cause}`)
  }
  const text = await response.text().catch(() => '')
  if (response.ok) return
  const message = `${host} answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) throw permanentError(message)
  throw new Error(message)
}
