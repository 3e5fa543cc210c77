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
  /** arrival times (epoch ms) of the last 20,000 answered requests, split by lane, for rate measurements */
  times: { general: number[]; search: number[] }
}

const MAX_TIMES = 20_000

export function createStats(): RequestStats {
  return {
    requests: { total: 0, search: 0, byRoute: {}, byStatus: {} },
    rateLimited: 0,
    firstRequestAt: null,
    lastRequestAt: null,
    times: { general: [], search: [] },
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
  const lane = search ? stats.times.search : stats.times.general
  if (status !== 429) lane.push(Date.now())
  if (lane.length > MAX_TIMES) lane.shift()
  const iso = new Date().toISOString()
  stats.firstRequestAt ??= iso
  stats.lastRequestAt = iso
}
