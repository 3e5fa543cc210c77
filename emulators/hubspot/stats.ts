/**
 * Per-request counters behind `GET /_admin/stats`: the benchmark reads the achieved request
 * rate against the configured limit from them.
 */
export interface RequestStats {
  requests: {
    total: number
    search: number
    /** `METHOD /path/template` → count */
    byRoute: Record<string, number>
    /** HTTP status → count */
    byStatus: Record<string, number>
  }
  /** 429 answers, whether from the limiter or the throttle fault */
  rateLimited: number
  firstRequestAt: string | null
  lastRequestAt: string | null
}

export function createStats(): RequestStats {
  return {
    requests: { total: 0, search: 0, byRoute: {}, byStatus: {} },
    rateLimited: 0,
    firstRequestAt: null,
    lastRequestAt: null,
  }
}

export function resetStats(stats: RequestStats) {
  Object.assign(stats, createStats())
}

export function recordRequest(stats: RequestStats, route: string, status: number, search: boolean) {
  const { requests } = stats
  requests.total++
  if (search) requests.search++
  requests.byRoute[route] = (requests.byRoute[route] ?? 0) + 1
  requests.byStatus[status] = (requests.byStatus[status] ?? 0) + 1
  if (status === 429) stats.rateLimited++
  const iso = new Date().toISOString()
  stats.firstRequestAt ??= iso
  stats.lastRequestAt = iso
}
