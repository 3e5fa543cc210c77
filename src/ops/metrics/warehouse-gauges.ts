import type { Logger } from '../../log.ts'
import type { Warehouse } from '../../warehouse/types.ts'
import type { LabelGuard } from './bounded-labels.ts'
import { BREAKER_STATE_VALUES, RUN_BUCKETS, type Metrics, type ScrapeHooks } from './metric-definitions.ts'
import { countUnresolvedAlerts, listBreakerStates, listLastSuccesses, sumRunHistory } from '../../warehouse/sql/metrics.ts'
import type { RunHistoryMetrics } from './run-history.ts'

const RUN_BOUNDS_MS = RUN_BUCKETS.map((s) => s * 1000)

export interface WarehouseScrapeOptions {
  /** how long a scrape waits for the warehouse before it answers with the last values @default 2000 */
  timeoutMs?: number
  /** reads finished this recently are reused, so a burst of scrapes reads the warehouse once @default 1000 */
  reuseMs?: number
  log?: Logger
  /** also fold crmsync.sync_runs' totals into the run metrics at each scrape (serve) */
  history?: RunHistoryMetrics
}

/**
 * The scrape-time gauges. A scrape must answer even when the warehouse is down or slow: each read
 * that fails keeps its gauge's last values and counts `crmsync_scrape_errors_total`, and a read
 * that outlives `timeoutMs` is left running (only one at a time) while the scrape answers.
 */
export function createWarehouseScrape(
  warehouse: Warehouse,
  metrics: Metrics,
  label: LabelGuard,
  options: WarehouseScrapeOptions = {},
): Required<ScrapeHooks> {
  const timeoutMs = options.timeoutMs ?? 2000
  const reuseMs = options.reuseMs ?? 1000
  // alert combinations seen once stay at 0 after they resolve, so graphs drop to zero instead of ending
  const seenAlerts = new Map<string, { rule: string; severity: string; status: string }>()
  let inflight: Promise<void> | undefined
  let finishedAt = -Infinity
  let up = true

  const reads = {
    circuit_breakers: async () => {
      const rows = await listBreakerStates(warehouse)
      metrics.breakers.reset()
      for (const row of rows) {
        const value = BREAKER_STATE_VALUES[row.state]
        if (value !== undefined) metrics.breakers.set({ source: label('source', row.source) }, value)
      }
    },
    alerts: async () => {
      const rows = await countUnresolvedAlerts(warehouse)
      metrics.alerts.reset()
      for (const labels of seenAlerts.values()) metrics.alerts.set(labels, 0)
      for (const row of rows) {
        const labels = {
          rule: label('rule', row.rule),
          severity: label('severity', row.severity),
          status: label('status', row.status),
        }
        seenAlerts.set(`${labels.rule}\u0000${labels.severity}\u0000${labels.status}`, labels)
        metrics.alerts.set(labels, row.count)
      }
    },
    sync_runs: async () => {
      const rows = await sumRunHistory(warehouse, RUN_BOUNDS_MS)
      options.history?.apply(rows)
    },
    stream_state: async () => {
      const rows = await listLastSuccesses(warehouse)
      metrics.lastSuccess.reset()
      for (const row of rows) {
        const labels = { source: label('source', row.source), stream: label('stream', row.stream) }
        metrics.lastSuccess.set(labels, row.at)
      }
    },
  }
  type Query = keyof typeof reads
  // the run history is read only where it is wanted (serve): a worker counts its own runs from events
  const queries = (Object.keys(reads) as Query[]).filter((query) => query !== 'sync_runs' || options.history)
  /** queries of the read in flight that have answered, and those a timed-out scrape already counted */
  let answered = new Set<Query>()
  let counted = new Set<Query>()
  // the series exist from the start, so rate() and increase() see the first error
  for (const query of [...queries, 'pool']) metrics.scrapeErrors.inc({ query }, 0)

  const setUp = (ok: boolean, error?: unknown) => {
    metrics.warehouseUp.set(ok ? 1 : 0)
    if (ok && !up) options.log?.info('metrics: the warehouse answers again')
    if (!ok && up)
      options.log?.warn({ err: error }, 'metrics: cannot read the warehouse; its gauges keep their last values')
    up = ok
  }

  // one query after another: a scrape should take one pooled connection, not three
  const refresh = async () => {
    let failure: unknown
    for (const query of queries) {
      try {
        await reads[query]()
      } catch (error) {
        failure ??= error
        // a scrape that gave up waiting for it has counted it already
        if (!counted.has(query)) metrics.scrapeErrors.inc({ query })
      }
      answered.add(query)
    }
    setUp(failure === undefined, failure)
  }

  return {
    pool() {
      try {
        const stats = warehouse.poolStats()
        metrics.pool.set({ state: 'max' }, stats.max)
        metrics.pool.set({ state: 'size' }, stats.size)
        metrics.pool.set({ state: 'in_use' }, stats.inUse)
        metrics.pool.set({ state: 'waiting' }, stats.waiting)
      } catch {
        metrics.scrapeErrors.inc({ query: 'pool' })
      }
    },
    async warehouse() {
      if (!inflight && performance.now() - finishedAt < reuseMs) return
      if (!inflight) {
        answered = new Set()
        counted = new Set()
        inflight = refresh().finally(() => {
          inflight = undefined
          finishedAt = performance.now()
        })
      }
      let timer: NodeJS.Timeout | undefined
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs)
      })
      const outcome = await Promise.race([inflight, timedOut])
      clearTimeout(timer)
      if (outcome !== 'timeout') return
      // the read goes on in the background (one at a time); what has not answered fails this scrape
      for (const query of queries) {
        if (answered.has(query)) continue
        metrics.scrapeErrors.inc({ query })
        counted.add(query)
      }
      setUp(false, new Error(`the warehouse did not answer within ${timeoutMs} ms`))
    },
  }
}
