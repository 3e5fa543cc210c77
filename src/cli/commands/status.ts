import { describeTiming } from '../../worker/timing.ts'
import { listBreakers } from '../../warehouse/sql/automation.ts'
import { listSchedules } from '../../warehouse/sql/schedules.ts'
import { listWorkers } from '../../warehouse/sql/workers.ts'
import { countTableRows, listStreamOverview } from '../../warehouse/sql/overview.ts'
import { listRuns } from '../../warehouse/sql/runs.ts'
import { parseCommandArgs } from '../args.ts'
import type { CliContext } from '../context.ts'
import { formatNumber, table } from '../output.ts'

export const STATUS_HELP = `crmsync status [--json]

Where everything stands: the warehouse, syncs running now, and per stream its last run, rows in
the warehouse (live and soft-deleted), where it resumes from, and its last success.`

export async function statusCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {}, 'status')
  const warehouse = await ctx.warehouse()
  const streams = await listStreamOverview(warehouse)
  const withCounts = []
  for (const s of streams) withCounts.push({ ...s, rows: await countTableRows(warehouse, s.source, s.stream) })
  const running = await listRuns(warehouse, { status: 'running', limit: 100 })
  const breakers = await listBreakers(warehouse)
  const workers = await listWorkers(warehouse, 30)
  const schedules = await listSchedules(warehouse)
  const report = {
    workers: workers.map((w) => ({ id: w.id, host: w.host, pid: w.pid, concurrency: w.concurrency, startedAt: w.started_at, heartbeatAt: w.heartbeat_at, stopping: w.stopping, jobs: w.jobs })),
    schedules: schedules.map((s) => ({ id: s.id, source: s.source, stream: s.stream, mode: s.mode, timing: describeTiming(s), paused: s.paused, nextRunAt: s.next_run_at })),
    warehouse: { kind: warehouse.kind, location: warehouse.location, pool: warehouse.poolStats() },
    circuitBreakers: breakers.map((b) => ({ source: b.source, state: b.state, recentFailures: b.failures.length, openedAt: b.opened_at })),
    running: running.map((r) => ({ id: r.id, source: r.source, stream: r.stream, mode: r.mode, startedAt: r.started_at, heartbeatAt: r.heartbeat_at, fetched: r.fetched })),
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
  if (values.json) {
    ctx.out.result(report)
    return 0
  }
  ctx.out.line(`warehouse: ${warehouse.location}`)
  ctx.out.line(
    workers.length
      ? `workers: ${workers.map((w) => `${w.id}${w.stopping ? ' (stopping)' : ''}: ${w.jobs.length ? w.jobs.map((j) => `${j.source}.${j.stream}${j.runId ? ` run ${j.runId}` : ''}`).join(', ') : 'idle'}`).join('; ')}`
      : 'workers: none running (`crmsync worker` runs schedules and queued syncs)',
  )
  if (schedules.length) ctx.out.line(`schedules: ${schedules.map((s) => `${s.source}${s.stream ? `.${s.stream}` : ''} ${describeTiming(s)}${s.paused ? ' (paused)' : `, next ${s.next_run_at.toISOString().slice(11, 19)} UTC`}`).join('; ')}`)
  const notClosed = breakers.filter((b) => b.state !== 'closed')
  ctx.out.line(`circuit breakers: ${notClosed.length ? notClosed.map((b) => `${b.source} ${b.state.replace('_', '-')} since ${b.opened_at?.toISOString() ?? '?'}`).join(', ') : 'all closed'}`)
  ctx.out.line(running.length ? `running now: ${running.map((r) => `${r.source}.${r.stream} (run ${r.id}, ${formatNumber(r.fetched)} rows)`).join(', ')}` : 'running now: nothing')
  ctx.out.line()
  if (report.streams.length === 0) {
    ctx.out.line('no stream has been synced yet: try `crmsync sync salespro`')
    return 0
  }
  ctx.out.line(
    table(
      ['stream', 'last run', 'status', 'rows', 'deleted', 'last success (UTC)', 'resumes from'],
      report.streams.map((s) => [
        `${s.source}.${s.stream}`,
        s.lastRunId ?? '',
        s.runningRunId ? 'running' : (s.lastStatus ?? ''),
        formatNumber(s.rows),
        formatNumber(s.deletedRows),
        s.lastSuccessAt ? s.lastSuccessAt.toISOString().slice(0, 19).replace('T', ' ') : 'never',
        s.fullPassInProgress ? 'an unfinished full pass' : s.cursor ? JSON.stringify(s.cursor).slice(0, 60) : '(start)',
      ]),
    ),
  )
  return 0
}
