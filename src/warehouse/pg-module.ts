import { createRequire } from 'node:module'

/**
 * The `pg` module, loaded without its probe for Cloudflare Workers. At load, pg 8 reads the global
 * `navigator`, and where there is none (Node 20 has none; 21 and later do) it touches the global
 * `Response`, which makes Node load undici, its whole fetch implementation, for nothing: measured,
 * `require('pg')` took 72-123 ms, and 24-42 ms with the probe answered, in every command that opens
 * the warehouse. For the moment of the load there is a `navigator`, as newer Node versions have,
 * and the probe answers at once. Every later `require('pg')` (pg-boss's) gets this same module
 * from the cache.
 */
function loadPg(): typeof import('pg') {
  const require = createRequire(import.meta.url)
  if ('navigator' in globalThis) return require('pg')
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node}` }, configurable: true })
  try {
    return require('pg')
  } finally {
    delete (globalThis as { navigator?: unknown }).navigator
  }
}

export default loadPg()
