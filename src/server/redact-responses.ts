import type { MiddlewareHandler } from 'hono'
import { redactSecrets } from '../redact.ts'

// what the server renders from warehouse text: pages, API answers, /metrics. The static assets
// (our own code, whose `'x-crmsync-token': token` reads like a secret) and the event stream (never
// buffered; live-hub redacts each event) are left alone.
const RENDERED = /^(text\/html|application\/json|text\/plain|application\/openmetrics-text)\b/i

/**
 * The server's last line of defence: every page and API answer passes through the redactor on its
 * way out, so a secret that reached the warehouse before redaction existed, or through a path
 * nobody thought of, is still never shown. Pages are small; one pass over each is cheap.
 */
export function redactResponses(): MiddlewareHandler {
  return async (c, next) => {
    await next()
    if (!c.res.body || !RENDERED.test(c.res.headers.get('content-type') ?? '')) return
    const text = await c.res.text()
    // the length changes with the text; Hono copies the old headers into the new answer
    c.res.headers.delete('content-length')
    c.res = new Response(redactSecrets(text), c.res)
  }
}
