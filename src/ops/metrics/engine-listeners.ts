import type { EngineEvents } from '../../engine/events.ts'
import type { RunSummary } from '../../engine/summary.ts'
import { zeroRunCounts } from '../../run-counts.ts'
import { createLabelGuard, type LabelGuard } from './bounded-labels.ts'
import { ROW_OUTCOMES, type Metrics, type RowOutcome, type RunHistorySource } from './metric-definitions.ts'

type RowCounts = Record<RowOutcome, number>

const zeroRows = (): RowCounts => zeroRunCounts()

// a dry run has no run id; one process runs a stream at most once at a time, so its name is enough
const runKey = (runId: number | null, source: string, stream: string) =>
  runId !== null ? `run:${runId}` : `dry:${source}\u0000${stream}`

const seconds = (ms: number) => (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0)

/**
 * Moves the metrics from engine events; it only listens (docs/design.md §1). Returns the function that
 * stops listening.
 *
 * Rows are counted as pages commit, so a long run shows progress, and the run's end adds what the
 * pages did not carry: the soft deletes of a completed full pass, and the pages committed before
 * these metrics existed. The totals of a run therefore equal its RunSummary, never twice.
 */
export function listenToEngine(
  events: EngineEvents,
  metrics: Metrics,
  label: LabelGuard = createLabelGuard(),
  runHistory: RunHistorySource = 'process',
): () => void {
  // read from crmsync.sync_runs instead: counting this process's runs here as well would count them twice
  const countsRuns = runHistory === 'process'
  /** rows already counted per run in progress */
  const counted = new Map<string, RowCounts>()
  /** runs started and not ended per run key, so the gauge never goes below what this process started */
  const running = new Map<string, number>()
  const streamLabels = (source: string, stream: string) => ({
    source: label('source', source),
    stream: label('stream', stream),
  })

  const countRows = (labels: { source: string; stream: string }, rows: RowCounts, into: RowCounts) => {
    for (const outcome of ROW_OUTCOMES) {
      const n = rows[outcome]
      if (!Number.isFinite(n) || n <= 0) continue
      metrics.rows.inc({ ...labels, outcome }, n)
      if (outcome === 'rejected') metrics.rejects.inc(labels, n)
      if (outcome === 'coerced') metrics.coerced.inc(labels, n)
      into[outcome] += n
    }
  }

  const endRun = (summary: RunSummary) => {
    const labels = streamLabels(summary.source, summary.stream)
    const status = label('status', summary.status)
    if (countsRuns) {
      metrics.runs.inc({ ...labels, status })
      metrics.runDuration.observe({ ...labels, status }, seconds(summary.durationMs))
    }
    const key = runKey(summary.runId, summary.source, summary.stream)
    // a skipped run never started (the stream was busy): it must not end someone else's run
    const started = running.get(key) ?? 0
    if (summary.status !== 'skipped' && started > 0) {
      if (started === 1) running.delete(key)
      else running.set(key, started - 1)
      metrics.runningSyncs.dec(labels)
    }
    if (!summary.dryRun && countsRuns) {
      const already = counted.get(key) ?? zeroRows()
      const rest = zeroRows()
      for (const outcome of ROW_OUTCOMES) rest[outcome] = summary[outcome] - already[outcome]
      countRows(labels, rest, zeroRows())
    }
    counted.delete(key)
  }

  const unsubscribe = [
    events.on('run:start', (e) => {
      const key = runKey(e.runId, e.source, e.stream)
      running.set(key, (running.get(key) ?? 0) + 1)
      metrics.runningSyncs.inc(streamLabels(e.source, e.stream))
    }),
    events.on('page:committed', (e) => {
      // a dry run rolls its pages back: nothing was written, so no row moves
      if (e.runId === null || e.dryRun) return
      const labels = streamLabels(e.source, e.stream)
      const key = runKey(e.runId, e.source, e.stream)
      let sofar = counted.get(key)
      if (!sofar) counted.set(key, (sofar = zeroRows()))
      if (countsRuns) countRows(labels, e.page, sofar)
      metrics.pageDuration.observe({ ...labels, phase: 'fetch' }, seconds(e.page.fetchMs))
      metrics.pageDuration.observe({ ...labels, phase: 'write' }, seconds(e.page.writeMs))
    }),
    events.on('run:retry', (e) => {
      metrics.runRetries.inc({ ...streamLabels(e.source, e.stream), code: label('code', e.code) })
    }),
    events.on('run:end', (e) => endRun(e.summary)),
    events.on('run:abandoned', (e) => metrics.runsAbandoned.inc(streamLabels(e.source, e.stream))),
    events.on('connector', (e) => {
      const source = label('source', e.source)
      if (e.type === 'request') {
        const operation = label('operation', e.operation)
        metrics.requests.inc({ source, operation, status: label('status', e.status) })
        metrics.requestDuration.observe({ source, operation }, seconds(e.ms))
      } else if (e.type === 'rate_limit_wait') {
        metrics.rateLimitWait.inc({ source }, seconds(e.ms))
        metrics.rateLimitWaits.inc({ source })
      } else if (e.type === 'retry') {
        metrics.requestRetries.inc({ source, operation: label('operation', e.operation) })
      }
    }),
  ]
  return () => {
    for (const off of unsubscribe) off()
  }
}
