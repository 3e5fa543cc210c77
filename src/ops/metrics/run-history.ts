import type { Metric, Registry } from 'prom-client'
import type { DbRunTotals } from '../../warehouse/sql/metrics.ts'
import type { LabelGuard } from './bounded-labels.ts'
import { ROW_OUTCOMES, RUN_BUCKETS, type Metrics } from './metric-definitions.ts'

/**
 * Run counts, rows and run durations of every process, from crmsync.sync_runs (serve's /metrics:
 * the CLI's and the workers' runs are not heard by serve's engine events).
 *
 * The warehouse gives totals; Prometheus wants counters that never go down. Each series therefore
 * moves by what its total grew since the previous scrape: a first scrape starts it at the whole
 * history, and deleting history (a smaller total) moves nothing, so the series holds its value and
 * counts on from there. A restart of serve starts the series again from the history as it is then.
 */
export interface RunHistoryMetrics {
  /** folds one read of `sumRunHistory` into the counters and the duration histogram */
  apply(rows: readonly DbRunTotals[]): void
}

const DURATION = {
  name: 'crmsync_run_duration_seconds',
  help: 'Wall time of one stream run in seconds, from lock to end, retries included, by final status.',
}

interface HistogramSeries {
  labels: Record<string, string>
  /** per bucket, not cumulative; the last one is above every bound (+Inf) */
  buckets: number[]
  sum: number
  count: number
}

/** How far each total grew since the last read; never negative. */
function growthTracker() {
  const last = new Map<string, number>()
  return (key: string, total: number): number => {
    const before = last.get(key) ?? 0
    last.set(key, total)
    return Math.max(0, total - before)
  }
}

const keyOf = (labels: Record<string, string>) => JSON.stringify(labels)

/**
 * Registers the warehouse-fed duration histogram on `registry` (prom-client's Histogram can only
 * observe one value at a time, and a first scrape may bring a year of runs), and returns what feeds
 * it and the run, row, reject and coerced counters.
 */
export function createRunHistoryMetrics(registry: Registry, metrics: Metrics, label: LabelGuard): RunHistoryMetrics {
  const grew = growthTracker()
  const durations = new Map<string, HistogramSeries>()
  const bounds = RUN_BUCKETS

  // the one thing the registry asks of a metric: its family at scrape time (default labels are added by the registry)
  const histogram = {
    name: DURATION.name,
    help: DURATION.help,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => ({
      ...DURATION,
      type: 'histogram',
      aggregator: 'sum',
      values: [...durations.values()].flatMap((s) => {
        let cumulative = 0
        const buckets = s.buckets.map((n, i) => {
          cumulative += n
          return { metricName: `${DURATION.name}_bucket`, labels: { ...s.labels, le: i < bounds.length ? bounds[i] : '+Inf' }, value: cumulative }
        })
        return [...buckets, { metricName: `${DURATION.name}_sum`, labels: s.labels, value: s.sum }, { metricName: `${DURATION.name}_count`, labels: s.labels, value: s.count }]
      }),
    }),
    reset: () => durations.clear(),
  }
  registry.registerMetric(histogram as unknown as Metric)

  return {
    apply(rows) {
      // label values pass the guard first: several warehouse groups may become one series (`other`)
      const totals = new Map<string, { labels: Record<string, string>; value: number }>()
      const add = (kind: string, labels: Record<string, string>, value: number) => {
        const key = `${kind}\u0000${keyOf(labels)}`
        const entry = totals.get(key)
        if (entry) entry.value += value
        else totals.set(key, { labels, value })
      }
      for (const row of rows) {
        const stream = { source: label('source', row.source), stream: label('stream', row.stream) }
        for (const outcome of ROW_OUTCOMES) add('rows', { ...stream, outcome }, row[outcome])
        add('rejects', stream, row.rejected)
        add('coerced', stream, row.coerced)
        // a running run is not a run yet: it counts when it ends, with its duration
        if (row.status === 'running') continue
        const ended = { ...stream, status: label('status', row.status) }
        add('runs', ended, row.runs)
        if (row.bucket === null) continue
        add(`bucket:${row.bucket}`, ended, row.runs)
        add('sum', ended, row.seconds)
      }
      for (const [key, { labels, value }] of totals) {
        const delta = grew(key, value)
        if (delta <= 0) continue
        const kind = key.slice(0, key.indexOf('\u0000'))
        if (kind === 'rows') metrics.rows.inc(labels as Record<'source' | 'stream' | 'outcome', string>, delta)
        else if (kind === 'rejects') metrics.rejects.inc(labels as Record<'source' | 'stream', string>, delta)
        else if (kind === 'coerced') metrics.coerced.inc(labels as Record<'source' | 'stream', string>, delta)
        else if (kind === 'runs') metrics.runs.inc(labels as Record<'source' | 'stream' | 'status', string>, delta)
        else {
          const series = durationSeries(labels)
          if (kind === 'sum') series.sum += delta
          else {
            series.buckets[Number(kind.slice('bucket:'.length))] += delta
            series.count += delta
          }
        }
      }
    },
  }

  function durationSeries(labels: Record<string, string>): HistogramSeries {
    const key = keyOf(labels)
    let series = durations.get(key)
    if (!series) durations.set(key, (series = { labels, buckets: new Array(bounds.length + 1).fill(0), sum: 0, count: 0 }))
    return series
  }
}
