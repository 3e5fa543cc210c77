import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * How a webhook receiver knows a POST came from crmsync and was not replayed.
 *
 * Each delivery carries two headers:
 * - `X-Crmsync-Timestamp`: the send time, in whole seconds since the Unix epoch;
 * - `X-Crmsync-Signature`: `sha256=` + the hex HMAC-SHA256, keyed with the shared secret, of the
 *   string `<timestamp>.<body>` — the timestamp header, a dot, and the raw request body bytes as sent.
 *
 * A receiver recomputes the HMAC over the raw body (before any JSON parsing), compares it in
 * constant time, and rejects timestamps far from its clock (5 minutes by default) so a captured
 * request cannot be replayed later. `verifySignature` does all three. Without a configured secret
 * only the timestamp is sent.
 */
export const TIMESTAMP_HEADER = 'X-Crmsync-Timestamp'
export const SIGNATURE_HEADER = 'X-Crmsync-Signature'

export function signPayload(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

export interface VerifyInput {
  secret: string
  /** the raw request body, exactly as received */
  body: string | Buffer
  /** the X-Crmsync-Timestamp header */
  timestamp: string | undefined | null
  /** the X-Crmsync-Signature header */
  signature: string | undefined | null
  /** how far the timestamp may be from now; 300 s by default */
  toleranceSeconds?: number
  now?: () => number
}

/** True when the signature is crmsync's for this body and timestamp, and the timestamp is recent. */
export function verifySignature(input: VerifyInput): boolean {
  const { timestamp, signature } = input
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false
  const nowSeconds = Math.floor((input.now ?? Date.now)() / 1000)
  if (Math.abs(nowSeconds - Number(timestamp)) > (input.toleranceSeconds ?? 300)) return false
  const body = typeof input.body === 'string' ? input.body : input.body.toString('utf8')
  const expected = Buffer.from(signPayload(input.secret, timestamp, body))
  const given = Buffer.from(signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}
