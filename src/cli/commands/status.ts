import { SyncError } from '../../errors.ts'
import { parseCommandArgs } from '../args.ts'
import type { CliContext } from '../context.ts'
import { formatDuration, formatNumber, table } from '../output.ts'
import { buildStatusReport, type StatusReport } from '../status-report.ts'
import { readStatusSnapshot } from '../status-snapshot.ts'

export const STATUS_HELP = `crmsync status [--json]

Where everything stands: the warehouse, syncs running now, and per stream its last run, rows in
the warehouse (live and soft-deleted), where it resumes from, and its last success.`

export async function statusCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {}, 'status', { positionals: false })
  let report: StatusReport
  try {
    report = await buildStatusReport(await ctx.warehouse())
  } catch (error) {
    // the embedded warehouse opens in one process at a time: beside a sync, show what that process publishes
    const snapshot = isBusyEmbedded(ctx, error) ? readStatusSnapshot(ctx.config.home) : undefined
    if (!snapshot) throw error
    if (values.json) {
      ctx.out.result({ ...snapshot.report, snapshotAt: snapshot.snapshotAt, heldBy: { pid: snapshot.pid, command: snapshot.command } })
      return 0
    }
    const command = snapshot.command.split(' ')[0] || 'a command'
    ctx.out.line(`crmsync ${command} (pid ${snapshot.pid}) holds the embedded warehouse: figures as of ${snapshot.snapshotAt.toISOString().slice(11, 19)} UTC, ${formatDuration(Date.now() - snapshot.snapshotAt.getTime())} ago`)
    printStatus(ctx, snapshot.report)
    return 0
  }
  if (values.json) {
    ctx.out.result(report)
    return 0
  }
  printStatus(ctx, report)
  return 0
}

const isBusyEmbedded = (ctx: CliContext, error: unknown) => !ctx.config.databaseUrl && error instanceof SyncError && error.code === 'busy'

function printStatus(ctx: CliContext, report: StatusReport): void {
  const { workers, schedules, running } = report
  ctx.out.line(`warehouse: ${report.warehouse.location}`)
  ctx.out.line(
    workers.length
      ? `workers: ${workers.map((w) => `${w.id}${w.stopping ? ' (stopping)' : ''}: ${w.jobs.length ? w.jobs.map((j) => `${j.source}.${j.stream}${j.runId ? ` run ${j.runId}` : ''}`).join(', ') : 'idle'}`).join('; ')}`
      : 'workers: none running (`crmsync worker` runs schedules and queued syncs)',
  )
  if (schedules.length) ctx.out.line(`schedules: ${schedules.map((s) => `${s.source}${s.stream ? `.${s.stream}` : ''} ${s.timing}${s.paused ? ' (paused)' : `, next ${s.nextRunAt.toISOString().slice(11, 19)} UTC`}`).join('; ')}`)
  const notClosed = report.circuitBreakers.filter((b) => b.state !== 'closed')
  ctx.out.line(`circuit breakers: ${notClosed.length ? notClosed.map((b) => `${b.source} ${b.state.replace('_', '-')} since ${b.openedAt?.toISOString() ?? '?'}`).join(', ') : 'all closed'}`)
  ctx.out.line(running.length ? `running now: ${running.map((r) => `${r.source}.${r.stream} (run ${r.id}, ${formatNumber(r.fetched)} rows)`).join(', ')}` : 'running now: nothing')
  ctx.out.line()
  if (report.streams.length === 0) {
    ctx.out.line('no stream has been synced yet: try `crmsync sync salespro`')
    return
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
}
