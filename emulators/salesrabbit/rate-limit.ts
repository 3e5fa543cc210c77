/**
 * SalesRabbit does not document its limits; integrations handle a 429 with `Retry-After` and
 * `X-RateLimit-*` headers. The emulator uses a fixed one-minute window that opens with the first
 * request: beyond `perMinute` accepted requests it answers 429 until the window closes.
 */
export interface RateLimiter {
  /** counts one request at `now`; the headers go on the answer whether or not it is allowed */
  take(now: number): { allowed: boolean; headers: Record<string, string> }
}

const WINDOW_MS = 60_000

export function createRateLimiter(perMinute: number): RateLimiter {
  let windowStart = 0
  let used = 0
  return {
    take(now) {
      if (now - windowStart >= WINDOW_MS) {
        windowStart = now
        used = 0
      }
      const allowed = used < perMinute
      if (allowed) used++
      const resetAt = windowStart + WINDOW_MS
      const headers: Record<string, string> = {
        'X-RateLimit-Limit': String(perMinute),
        'X-RateLimit-Remaining': String(perMinute - used),
        // epoch seconds, the most common reading of this header
        'X-RateLimit-Reset': String(Math.ceil(resetAt / 1000)),
      }
      if (!allowed) headers['Retry-After'] = String(Math.max(1, Math.ceil((resetAt - now) / 1000)))
      return { allowed, headers }
    },
  }
}
