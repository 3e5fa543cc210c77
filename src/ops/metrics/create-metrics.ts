import { collectDefaultMetrics, Registry } from 'prom-client'
import type { EngineEvents } from '../../engine/events.ts'
import type { Warehouse } from '../../warehouse/types.ts'
import { createLabelGuard } from './bounded-labels.ts'
import { listenToEngine } from './engine-listeners.ts'
import { defineMetrics, type Metrics, type RunHistorySource, type ScrapeHooks } from './metric-definitions.ts'
import { createRunHistoryMetrics } from './run-history.ts'
import { createWarehouseScrape, type WarehouseScrapeOptions } from './warehouse-gauges.ts'

export interface MetricsOptions extends WarehouseScrapeOptions {
  /** the engine events of this process; the metrics only listen to them */
  events: EngineEvents
  /** read at scrape time: pool stats, circuit breakers, alerts, last successes */
  warehouse: Warehouse
  /**
   * added to every series as `process="<label>"` (`serve`, `worker`), so a Prometheus scraping both
   * can tell them apart; omitted when not given
   */
  processLabel?: string
  /** node process metrics (memory, event-loop lag, GC, handles) @default true */
  processMetrics?: boolean
  /**
   * where runs, rows, rejects and run durations come from: `process` (this process's runs, from its
   * engine events; workers) or `warehouse` (every run in crmsync.sync_runs, whichever process made
   * it; serve, so one scrape sees the cluster's runs) @default 'process'
   */
  runHistory?: RunHistorySource
}

/** The Prometheus metrics of one crmsync process. */
export interface CrmsyncMetrics {
  /** this instance's own registry (never prom-client's global one) */
  readonly registry: Registry
  /** the metric objects, for tests and for surfaces that count their own things */
  readonly metrics: Metrics
  /** the Content-Type header of `render()`'s text */
  readonly contentType: string
  /** the Prometheus text exposition (format 0.0.4); it answers even when the warehouse is down */
  render(): Promise<string>
  /** stops listening to the engine; the registry keeps its last values */
  close(): void
}

/**
 * Creates the metrics of one process: counters and histograms moved by engine events, gauges read
 * at scrape time from the warehouse, and node's process metrics. Nothing here calls the engine.
 *
 * @example
 * const metrics = createMetrics({ events, warehouse, processLabel: 'worker' })
 * app.get('/metrics', async (c) =>
 *   c.body(await metrics.render(), 200, { 'Content-Type': metrics.contentType }),
 * )
 */
export function createMetrics(options: MetricsOptions): CrmsyncMetrics {
  const registry = new Registry()
  if (options.processLabel) registry.setDefaultLabels({ process: options.processLabel })
  const label = createLabelGuard()
  // the hooks are filled once the metrics they set exist; prom-client calls them only at scrape time
  const hooks: ScrapeHooks = {}
  const runHistory = options.runHistory ?? 'process'
  const metrics = defineMetrics(registry, hooks, runHistory)
  const fromWarehouse = runHistory === 'warehouse' ? createRunHistoryMetrics(registry, metrics, label) : undefined
  const scrape = createWarehouseScrape(options.warehouse, metrics, label, { ...options, history: fromWarehouse })
  let rendering = 0
  hooks.pool = scrape.pool
  // inside render() the warehouse was read just before; the hooks serve `registry.metrics()` callers
  hooks.warehouse = async () => (rendering > 0 ? undefined : scrape.warehouse())
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'crmsync_' })
  const stopListening = listenToEngine(options.events, metrics, label, runHistory)
  return {
    registry,
    metrics,
    contentType: registry.contentType,
    async render() {
      // read the warehouse first, so counters it moves (scrape errors) are current in this very text;
      // the gauges' own collect hooks then reuse this read
      await scrape.warehouse()
      rendering++
      try {
        return await registry.metrics()
      } finally {
        rendering--
      }
    },
    close: stopListening,
  }
}
