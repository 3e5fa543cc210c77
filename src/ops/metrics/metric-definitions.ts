import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { RUN_COUNTS, type RunCountName } from '../../run-counts.ts'

/**
 * Row outcomes of a run, as the engine counts them: `RUN_COUNTS` (src/run-counts.ts). `coerced` records are
 * also among the inserted, updated or unchanged ones: written, with a field stored NULL.
 */
export const ROW_OUTCOMES = RUN_COUNTS
export type RowOutcome = RunCountName

/** Numeric codes of the breaker states, so a dashboard can draw and alert on one gauge. */
export const BREAKER_STATE_VALUES: Readonly<Record<string, number>> = { closed: 0, half_open: 1, open: 2 }

// a run is anything from a second (an idle incremental) to a two-hour first load of a big table
export const RUN_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200]
// a page fetch can include an Athena query's wait; a page write is a COPY plus one merge
const PAGE_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
// one HTTP call or one Athena query (which polls until the query finishes)
const REQUEST_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

/** What fills the scrape-time gauges; looked up at each scrape, so it may be set after `defineMetrics`. */
export interface ScrapeHooks {
  /** sets `crmsync_pool_connections` */
  pool?: () => void
  /** sets the gauges read from the warehouse: breakers, alerts, last successes, warehouse up */
  warehouse?: () => Promise<void>
}

/**
 * Where the run, row and reject counters and the run duration histogram come from: `process`, this
 * process's engine events (a worker's own runs); `warehouse`, crmsync.sync_runs at scrape time (serve:
 * every run of every process; see run-history.ts). Either way the names, labels and types are the same.
 */
export type RunHistorySource = 'process' | 'warehouse'

/**
 * Every crmsync metric, registered on the given registry (never the global one, so tests and
 * several instances in one process do not collide). The names carry the `crmsync_` prefix
 * themselves; default process metrics get it from `collectDefaultMetrics`.
 */
export function defineMetrics(registry: Registry, scrape: ScrapeHooks = {}, runHistory: RunHistorySource = 'process') {
  const registers = [registry]
  const pool = () => scrape.pool?.()
  const warehouse = async () => scrape.warehouse?.()
  return {
    runs: new Counter({
      name: 'crmsync_runs_total',
      help: 'Stream runs that ended, by final status. serve: every run in crmsync.sync_runs, of any process; a worker: its own runs, dry and skipped ones included.',
      labelNames: ['source', 'stream', 'status'] as const,
      registers,
    }),
    runsAbandoned: new Counter({
      name: 'crmsync_runs_abandoned_total',
      help: 'Runs found still marked running after their process died, marked failed by the next run of the stream.',
      labelNames: ['source', 'stream'] as const,
      registers,
    }),
    rows: new Counter({
      name: 'crmsync_rows_total',
      help: 'Rows committed to the warehouse by outcome (fetched, inserted, updated, unchanged, rejected, coerced = written with a field nulled, also counted as inserted/updated/unchanged, deleted = soft-deleted); dry runs excluded. serve: every process\'s runs; a worker: its own.',
      labelNames: ['source', 'stream', 'outcome'] as const,
      registers,
    }),
    rejects: new Counter({
      name: 'crmsync_rejects_total',
      help: 'Records refused by the validator or the warehouse and stored in crmsync.rejects; dry runs excluded.',
      labelNames: ['source', 'stream'] as const,
      registers,
    }),
    coerced: new Counter({
      name: 'crmsync_coerced_total',
      help: 'Records written with a field stored NULL because its value did not fit its column (the value stays in _raw, the row\'s _meta names the field); dry runs excluded.',
      labelNames: ['source', 'stream'] as const,
      registers,
    }),
    runDuration: new Histogram({
      name: 'crmsync_run_duration_seconds',
      help: 'Wall time of one stream run in seconds, from lock to end, retries included, by final status.',
      labelNames: ['source', 'stream', 'status'] as const,
      buckets: RUN_BUCKETS,
      // from the warehouse, the family is served by run-history.ts instead (same name, help and buckets)
      registers: runHistory === 'process' ? registers : [],
    }),
    pageDuration: new Histogram({
      name: 'crmsync_page_duration_seconds',
      help: 'Time per committed page in seconds: phase fetch = waiting for the source, phase write = the warehouse transaction.',
      labelNames: ['source', 'stream', 'phase'] as const,
      buckets: PAGE_BUCKETS,
      registers,
    }),
    runningSyncs: new Gauge({
      name: 'crmsync_running_syncs',
      help: 'Stream runs in progress in this process (started and not yet ended).',
      labelNames: ['source', 'stream'] as const,
      registers,
    }),
    runRetries: new Counter({
      name: 'crmsync_run_retries_total',
      help: 'Times a run resumed from its last committed page after a retryable failure, by error code.',
      labelNames: ['source', 'stream', 'code'] as const,
      registers,
    }),
    requests: new Counter({
      name: 'crmsync_source_requests_total',
      help: 'Requests made to a source API (HTTP calls, Athena/S3 operations), by operation and HTTP status code or "error" when no response came.',
      labelNames: ['source', 'operation', 'status'] as const,
      registers,
    }),
    requestDuration: new Histogram({
      name: 'crmsync_source_request_duration_seconds',
      help: 'Duration of one source API request in seconds, by operation, whatever its outcome.',
      labelNames: ['source', 'operation'] as const,
      buckets: REQUEST_BUCKETS,
      registers,
    }),
    requestRetries: new Counter({
      name: 'crmsync_source_request_retries_total',
      help: 'Source API requests retried by the connector client (throttling, 5xx, dropped connections), by operation.',
      labelNames: ['source', 'operation'] as const,
      registers,
    }),
    rateLimitWait: new Counter({
      name: 'crmsync_rate_limit_wait_seconds_total',
      help: 'Seconds spent waiting for a source rate limit (the pacer or a Retry-After), summed.',
      labelNames: ['source'] as const,
      registers,
    }),
    rateLimitWaits: new Counter({
      name: 'crmsync_rate_limit_waits_total',
      help: 'Times a request waited for a source rate limit.',
      labelNames: ['source'] as const,
      registers,
    }),
    pool: new Gauge({
      name: 'crmsync_pool_connections',
      help: 'Warehouse connection pool at scrape time, in connections: state max (the limit), size (open), in_use (checked out), waiting (callers queued).',
      labelNames: ['state'] as const,
      registers,
      collect: pool,
    }),
    breakers: new Gauge({
      name: 'crmsync_circuit_breaker_state',
      help: 'Circuit breaker of each source as stored in crmsync.circuit_breakers at scrape time: 0 closed, 1 half_open, 2 open.',
      labelNames: ['source'] as const,
      registers,
      collect: warehouse,
    }),
    alerts: new Gauge({
      name: 'crmsync_alerts',
      help: 'Unresolved alerts in crmsync.alerts at scrape time, in alerts, by rule, severity and status (open, acknowledged).',
      labelNames: ['rule', 'severity', 'status'] as const,
      registers,
      collect: warehouse,
    }),
    lastSuccess: new Gauge({
      name: 'crmsync_stream_last_success_timestamp_seconds',
      help: 'Unix time in seconds of the last succeeded run of each stream (crmsync.stream_state); alert on time() minus this.',
      labelNames: ['source', 'stream'] as const,
      registers,
      collect: warehouse,
    }),
    warehouseUp: new Gauge({
      name: 'crmsync_warehouse_up',
      help: 'Whether the warehouse answered the last scrape-time reads: 1 yes, 0 no (the warehouse gauges then keep their last values).',
      registers,
      collect: warehouse,
    }),
    scrapeErrors: new Counter({
      name: 'crmsync_scrape_errors_total',
      help: 'Scrape-time warehouse reads that failed or timed out, by query; the gauges they feed kept their last values.',
      labelNames: ['query'] as const,
      registers,
    }),
  }
}

export type Metrics = ReturnType<typeof defineMetrics>
