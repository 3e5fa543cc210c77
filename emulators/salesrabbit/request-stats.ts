import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Request counts by route and status, for tests and benchmarks that assert how a client behaved
 * (how many pages it fetched, whether it retried a 429). Faulted and dropped requests count too:
 * a dropped one under the status "dropped". Admin routes are not counted.
 */
export interface RequestStats {
  total: number
  byRoute: Record<string, Record<string, number>>
}

export function createRequestStats(): RequestStats {
  return { total: 0, byRoute: {} }
}

export function resetRequestStats(stats: RequestStats): void {
  stats.total = 0
  stats.byRoute = {}
}

/** Attach to the server's `request` event. */
export function trackRequest(stats: RequestStats, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0]
  if (path.startsWith('/_admin/')) return
  const route = `${req.method} ${routeOf(path)}`
  const record = (status: string) => {
    stats.total++
    const counts = (stats.byRoute[route] ??= {})
    counts[status] = (counts[status] ?? 0) + 1
  }
  res.once('finish', () => record(String(res.statusCode)))
  res.once('close', () => {
    if (!res.writableFinished) record('dropped')
  })
}

/** The API route a path belongs to: `/`, `/leads`, `/leads/:id`, `/users` or `other`. */
export function routeOf(path: string): string {
  if (path === '/' || path === '/leads' || path === '/users') return path
  if (/^\/leads\/[^/]+$/.test(path)) return '/leads/:id'
  return 'other'
}
