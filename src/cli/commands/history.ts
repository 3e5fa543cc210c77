import { RUN_STATUSES } from '../../engine/run-state.ts'
import { SyncError } from '../../errors.ts'
import { listRejects } from '../../warehouse/sql/rejects.ts'
import { listRunPages } from '../../warehouse/sql/run-pages.ts'
import { listRunLogs, type RunLogLine } from '../../warehouse/sql/run-logs.ts'
import { getRun, listRuns, runJson, type DbRun } from '../../warehouse/sql/runs.ts'
import type { Warehouse } from '../../warehouse/types.ts'
import { sleep } from '../../sleep.ts'
import { formatLogLine } from '../log-format.ts'
import { parseCommandArgs, positiveInt } from '../args.ts'
import type { CliContext } from '../context.ts'
import { formatDuration, formatNumber, table } from '../output.ts'

export const HISTORY_HELP = `crmsync history [--source S] [--stream T] [--status STATUS] [--limit N] [--json]
crmsync history --run ID [--json]
crmsync history --run ID --logs [--follow] [--json]

The sync runs, newest first, from crmsync.sync_runs; with --run, one run in detail: its window,
counts, the time of every page, and a sample of its rejected records with their reasons.
--status is one of running, succeeded, partial, failed, cancelled.

--logs prints the run's own log instead: its lines of info and above (its start, retries and
their waits, schema changes, its end with its counts and time), kept in crmsync.run_logs by
whichever process ran it. A run keeps its first 1,000 lines, its warnings and errors, and its
last 50. --follow prints new lines as the run writes them (every 2 s) until it ends; with
--json it waits for the end and prints the whole log as one document.

rejected: records not written (crmsync.rejects says why). coerced: records written with a field
stored NULL because its value did not fit the column; the value is in the row's _raw and the
row's _meta says which field and why (docs/design.md §3.11).`


export async function historyCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      source: { type: 'string' },
      stream: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      run: { type: 'string' },
      logs: { type: 'boolean', default: false },
      follow: { type: 'boolean', default: false },
    },
    'history',
  )
  // `history salespro customer` reads naturally, and was answered with every run, unfiltered
  if (positionals.length) {
    const [source, stream] = positionals
    throw new SyncError('config_invalid', `history takes its filters as options, not arguments (got ${positionals.join(' ')}): crmsync history --source ${source}${stream ? ` --stream ${stream}` : ''}`)
  }
  if (values.status !== undefined && !(RUN_STATUSES as readonly string[]).includes(values.status))
    throw new SyncError('config_invalid', `--status must be one of ${RUN_STATUSES.join(', ')}, not ${JSON.stringify(values.status)}`)
  if ((values.logs || values.follow) && values.run === undefined) throw new SyncError('config_invalid', `${values.logs ? '--logs' : '--follow'} needs --run ID: the log of which run?`)
  if (values.follow && !values.logs) throw new SyncError('config_invalid', '--follow goes with --logs: crmsync history --run ID --logs --follow')
  const warehouse = await ctx.warehouse()
  if (values.run !== undefined) {
    const id = positiveInt(values.run, '--run') as number
    const run = await getRun(warehouse, id)
    if (!run) throw new SyncError('config_invalid', `there is no run ${id}`)
    if (values.logs) return printRunLog(ctx, warehouse, run, values.follow)
    const pages = await listRunPages(warehouse, id)
    const rejects = await listRejects(warehouse, { runId: id, limit: 10 })
    if (values.json) {
      ctx.out.result({ run: runJson(run), pages, rejects: rejects.map((r) => ({ key: r.record_key, reason: r.reason, raw: r.raw })) })
      return 0
    }
    ctx.out.line(`run ${run.id}: ${run.source}.${run.stream} ${run.mode}${run.dry_run ? ' dry run (nothing was written)' : ''} ${run.status} (${run.trigger})`)
    ctx.out.line(`started ${run.started_at.toISOString()}, ${run.duration_ms === null ? 'still running' : `took ${formatDuration(run.duration_ms)}`}, ${run.attempts} attempt(s)`)
    if (run.window_since || run.window_until) ctx.out.line(`window [${run.window_since ?? '…'}, ${run.window_until ?? '…'})`)
    ctx.out.line(`cursor ${JSON.stringify(run.cursor_from)} → ${JSON.stringify(run.cursor_to)}`)
    ctx.out.line(`${formatNumber(run.fetched)} fetched, ${formatNumber(run.inserted)} inserted, ${formatNumber(run.updated)} updated, ${formatNumber(run.unchanged)} unchanged, ${formatNumber(run.rejected)} rejected, ${formatNumber(run.coerced)} coerced, ${formatNumber(run.deleted)} deleted`)
    if (run.coerced) ctx.out.line(`coerced: stored with a field NULL that did not fit its column; see _meta: crmsync sql "SELECT _meta FROM ${run.source}.${run.stream} WHERE _meta IS NOT NULL LIMIT 20"`)
    if (run.error) ctx.out.line(`error (${run.error_code}): ${run.error}`)
    if (pages.length) {
      ctx.out.line()
      ctx.out.line(table(['page', 'rows', 'fetch ms', 'write ms', 'inserted', 'updated', 'rejected', 'coerced'], pages.map((p) => [p.page_no, p.fetched, p.fetch_ms, p.write_ms, p.inserted, p.updated, p.rejected, p.coerced])))
    }
    if (rejects.length) {
      ctx.out.line()
      ctx.out.line('rejected records (sample):')
      for (const r of rejects) ctx.out.line(`  ${r.record_key ?? '(no key)'}: ${r.reason}`)
    }
    return 0
  }
  const runs = await listRuns(warehouse, {
    source: values.source,
    stream: values.stream,
    status: values.status,
    limit: positiveInt(values.limit, '--limit', 10_000) ?? 20,
  })
  if (values.json) {
    ctx.out.result({ runs: runs.map(runJson) })
    return 0
  }
  if (runs.length === 0) {
    ctx.out.line('no runs yet: try `crmsync sync salespro`')
    return 0
  }
  ctx.out.line(
    table(
      ['id', 'stream', 'mode', 'status', 'started (UTC)', 'took', 'fetched', 'inserted', 'updated', 'rejected', 'coerced', 'deleted', 'error'],
      runs.map((r) => [
        r.id,
        `${r.source}.${r.stream}`,
        r.dry_run ? `${r.mode} (dry)` : r.mode,
        r.status,
        r.started_at.toISOString().slice(0, 19).replace('T', ' '),
        r.duration_ms === null ? '…' : formatDuration(r.duration_ms),
        formatNumber(r.fetched),
        formatNumber(r.inserted),
        formatNumber(r.updated),
        formatNumber(r.rejected),
        formatNumber(r.coerced),
        formatNumber(r.deleted),
        (r.error ?? '').slice(0, 60),
      ]),
    ),
  )
  return 0
}

const FOLLOW_EVERY_MS = 1000

/** `--logs`: the run's kept log lines; with `follow`, the new ones as they come, until the run has ended. */
async function printRunLog(ctx: CliContext, warehouse: Warehouse, run: DbRun, follow: boolean): Promise<number> {
  const lines: RunLogLine[] = []
  let status = run.status
  if (!ctx.out.json) ctx.out.line(`run ${run.id}: ${run.source}.${run.stream} ${run.mode}${run.dry_run ? ' (dry run)' : ''}, ${status}`)
  for (;;) {
    const more = await listRunLogs(warehouse, run.id, lines.at(-1)?.seq ?? 0)
    lines.push(...more)
    if (!ctx.out.json) for (const line of more) ctx.out.line(formatLogLine(line))
    // the run's end is read before its last lines: a run writes its whole log before it is recorded as ended
    if (!follow || status !== 'running' || ctx.signal.aborted) break
    await sleep(FOLLOW_EVERY_MS, ctx.signal)
    status = (await getRun(warehouse, run.id))?.status ?? status
  }
  if (follow && status !== run.status && !ctx.out.json) ctx.out.note(`run ${run.id} ended: ${status}`)
  if (ctx.out.json) ctx.out.result({ runId: run.id, status, lines })
  else if (lines.length === 0) ctx.out.line(run.status === 'running' ? 'no log lines yet' : 'this run kept no log lines (runs before crmsync kept logs, or a run whose process could not write them)')
  return 0
}
