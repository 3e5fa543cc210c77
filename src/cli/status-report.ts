import { z } from 'zod'
import { RUN_COUNTS, countsOf } from '../run-counts.ts'
import { describeTiming } from '../worker/timing.ts'
import { listBreakers } from '../warehouse/sql/automation.ts'
import { countTableRows, listStreamOverview } from '../warehouse/sql/overview.ts'
import { listRuns } from '../warehouse/sql/runs.ts'
import { listSchedules } from '../warehouse/sql/schedules.ts'
import { listWorkers } from '../warehouse/sql/workers.ts'
import type { Warehouse } from '../warehouse/types.ts'

const when = z.coerce.date()
const counts = Object.fromEntries(RUN_COUNTS.map((name) => [name, z.number()])) as Record<(typeof RUN_COUNTS)[number], z.ZodNumber>

/**
 * What `crmsync status` reports, as one shape: built from the warehouse, or read back from the
 * snapshot the process holding the embedded warehouse publishes (a file: dates arrive as text,
 * hence the coercion, and a file someone else wrote is checked before it is shown).
 */
export const statusReportSchema = z.object({
  workers: z.array(
    z.object({
      id: z.string(),
      host: z.string(),
      pid: z.number(),
      concurrency: z.number(),
      startedAt: when,
      heartbeatAt: when,
      stopping: z.boolean(),
      jobs: z.array(z.object({ jobId: z.string(), source: z.string(), stream: z.string(), runId: z.number().nullish(), startedAt: z.string() })),
    }),
  ),
  schedules: z.array(
    z.object({ id: z.number(), source: z.string(), stream: z.string().nullable(), mode: z.string(), timing: z.string(), paused: z.boolean(), nextRunAt: when }),
  ),
  warehouse: z.object({ kind: z.string(), location: z.string(), pool: z.object({ max: z.number(), size: z.number(), inUse: z.number(), waiting: z.number() }) }),
  circuitBreakers: z.array(z.object({ source: z.string(), state: z.string(), recentFailures: z.number(), openedAt: when.nullable() })),
  running: z.array(
    z.object({ id: z.number(), source: z.string(), stream: z.string(), mode: z.string(), startedAt: when, heartbeatAt: when, ...counts }),
  ),
  streams: z.array(
    z.object({
      source: z.string(),
      stream: z.string(),
      rows: z.number(),
      deletedRows: z.number(),
      lastRunId: z.number().nullable(),
      lastStatus: z.string().nullable(),
      lastStartedAt: when.nullable(),
      lastDurationMs: z.number().nullable(),
      lastSuccessAt: when.nullable(),
      lastError: z.string().nullable(),
      cursor: z.unknown(),
      fullPassInProgress: z.boolean(),
      runningRunId: z.number().nullable(),
    }),
  ),
})

export type StatusReport = z.infer<typeof statusReportSchema>

/** Where everything stands, read from the warehouse: what `status` prints and the snapshot holds. */
export async function buildStatusReport(warehouse: Warehouse): Promise<StatusReport> {
  const streams = await listStreamOverview(warehouse)
  const withCounts = []
  for (const s of streams) withCounts.push({ ...s, rows: await countTableRows(warehouse, s.source, s.stream) })
  const running = await listRuns(warehouse, { status: 'running', limit: 100 })
  const breakers = await listBreakers(warehouse)
  const workers = await listWorkers(warehouse, 30)
  const schedules = await listSchedules(warehouse)
  return {
    workers: workers.map((w) => ({ id: w.id, host: w.host, pid: w.pid, concurrency: w.concurrency, startedAt: w.started_at, heartbeatAt: w.heartbeat_at, stopping: w.stopping, jobs: w.jobs })),
    schedules: schedules.map((s) => ({ id: s.id, source: s.source, stream: s.stream, mode: s.mode, timing: describeTiming(s), paused: s.paused, nextRunAt: s.next_run_at })),
    warehouse: { kind: warehouse.kind, location: warehouse.location, pool: warehouse.poolStats() },
    circuitBreakers: breakers.map((b) => ({ source: b.source, state: b.state, recentFailures: b.failures.length, openedAt: b.opened_at })),
    running: running.map((r) => ({ id: r.id, source: r.source, stream: r.stream, mode: r.mode, startedAt: r.started_at, heartbeatAt: r.heartbeat_at, ...countsOf(r) })),
    streams: withCounts.map((s) => ({
      source: s.source,
      stream: s.stream,
      rows: s.rows?.live ?? 0,
      deletedRows: s.rows?.deleted ?? 0,
      lastRunId: s.last_run_id,
      lastStatus: s.last_status,
      lastStartedAt: s.last_started_at,
      lastDurationMs: s.last_duration_ms,
      lastSuccessAt: s.last_success_at,
      lastError: s.last_error,
      cursor: s.cursor,
      fullPassInProgress: s.full_pass !== null && s.full_pass !== undefined,
      runningRunId: s.running_run_id,
    })),
  }
}
