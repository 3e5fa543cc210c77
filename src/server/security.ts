import { createHash, timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { HTTPException } from 'hono/http-exception'

/**
 * Who may do what.
 *
 * - Loopback bind (the default): reads are open to this machine; the Host header must be a
 *   loopback name, so a web page that rebinds its own DNS name to 127.0.0.1 cannot read the
 *   dashboard from a victim's browser.
 * - Any other bind: every request but `/healthz` needs the token, from a header, or from a cookie
 *   that `?token=…` sets once (HttpOnly, SameSite=Strict) so a browser can browse.
 * - State changes (POST, PUT, PATCH, DELETE), on any bind: the token in `Authorization: Bearer …`
 *   or `X-Crmsync-Token: …` (never the cookie, never the query) AND the same origin: Origin, or
 *   else Referer, must name this server's Host; Sec-Fetch-Site must say same-origin. Browsers send
 *   Origin on every POST, so a request with neither Origin nor Referer is a script or curl, which
 *   had to present the token header anyway. No token configured: state changes are refused.
 */
export interface AccessPolicy {
  /** the dashboard token; without one the dashboard is read-only */
  token?: string
  exposure: 'loopback' | 'network'
}

export const TOKEN_COOKIE = 'crmsync_dashboard_token'
export const TOKEN_HINT =
  'set CRMSYNC_DASHBOARD_TOKEN (or "server": {"token": "…"} in crmsync.config.json) and restart `crmsync serve`'

const digest = (text: string) => createHash('sha256').update(text).digest()

/** Compares in constant time (hashing first makes the lengths equal, so the length leaks nothing either). */
export const tokenMatches = (expected: string, given: string) => timingSafeEqual(digest(expected), digest(given))

function headerToken(c: Context): string | undefined {
  const auth = c.req.header('authorization')
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim()
  return c.req.header('x-crmsync-token') ?? undefined
}

const isLoopbackName = (hostname: string) => hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)

const requestHost = (c: Context) => c.req.header('host') ?? new URL(c.req.url).host

/** True when the request comes from a page of this same server (or from a non-browser client). */
export function sameOrigin(c: Context): boolean {
  const site = c.req.header('sec-fetch-site')
  if (site && site !== 'same-origin' && site !== 'none') return false
  const host = requestHost(c)
  const from = c.req.header('origin') ?? c.req.header('referer')
  if (from === undefined) return true
  try {
    return from !== 'null' && new URL(from).host === host
  } catch {
    return false
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function accessControl(policy: AccessPolicy): MiddlewareHandler {
  return async (c, next) => {
    if (policy.exposure === 'loopback') {
      const hostname = new URL(`http://${requestHost(c)}`).hostname
      if (!isLoopbackName(hostname))
        throw new HTTPException(403, { message: `this dashboard answers only to localhost, 127.0.0.1 or [::1], not ${JSON.stringify(hostname)} (protection against DNS rebinding)` })
    }
    if (UNSAFE.has(c.req.method)) {
      if (!policy.token) throw new HTTPException(403, { message: `the dashboard is read-only because no token is configured: ${TOKEN_HINT}` })
      const given = headerToken(c)
      if (!given) throw new HTTPException(401, { message: 'this action needs the dashboard token in an Authorization: Bearer or X-Crmsync-Token header' })
      if (!tokenMatches(policy.token, given)) throw new HTTPException(403, { message: 'wrong dashboard token' })
      if (!sameOrigin(c)) throw new HTTPException(403, { message: 'cross-origin request refused: actions are accepted only from pages of this dashboard' })
      return next()
    }
    if (policy.exposure === 'network' && c.req.path !== '/healthz') {
      const token = policy.token as string
      const fromQuery = c.req.query('token')
      if (fromQuery !== undefined) {
        if (!tokenMatches(token, fromQuery)) throw new HTTPException(403, { message: 'wrong dashboard token' })
        // the token moves into a cookie and out of the address bar
        setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: new URL(c.req.url).protocol === 'https:' })
        const url = new URL(c.req.url)
        url.searchParams.delete('token')
        return c.redirect(`${url.pathname}${url.search}`, 303)
      }
      const given = headerToken(c) ?? getCookie(c, TOKEN_COOKIE)
      if (!given) throw new HTTPException(401, { message: 'this dashboard is reachable from the network, so reading it needs the token (open it once with ?token=…, or send an Authorization: Bearer header)' })
      if (!tokenMatches(token, given)) throw new HTTPException(403, { message: 'wrong dashboard token' })
    }
    return next()
  }
}

/** Headers every answer carries: no inline scripts or styles, no framing, no sniffing, no caching. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next()
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    )
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('X-Frame-Options', 'DENY')
    c.header('Referrer-Policy', 'same-origin')
    c.header('Cross-Origin-Opener-Policy', 'same-origin')
    c.header('Cross-Origin-Resource-Policy', 'same-origin')
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store')
  }
}
