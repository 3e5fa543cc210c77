import { listBreakers } from '../../warehouse/sql/automation.ts'
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
  const report = {
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
