import { RUN_STATUSES } from '../../engine/run-state.ts'
import { SyncError } from '../../errors.ts'
import { listRejects } from '../../warehouse/sql/rejects.ts'
import { listRunPages } from '../../warehouse/sql/run-pages.ts'
import { getRun, listRuns, runJson } from '../../warehouse/sql/runs.ts'
import { parseCommandArgs, positiveInt } from '../args.ts'
import type { CliContext } from '../context.ts'
import { formatDuration, formatNumber, table } from '../output.ts'

export const HISTORY_HELP = `crmsync history [--source S] [--stream T] [--status STATUS] [--limit N] [--json]
crmsync history --run ID [--json]

The sync runs, newest first, from crmsync.sync_runs; with --run, one run in detail: its window,
counts, the time of every page, and a sample of its rejected records with their reasons.
--status is one of running, succeeded, partial, failed, cancelled.

rejected: records not written (crmsync.rejects says why). coerced: records written with a field
stored NULL because its value did not fit the column; the value is in the row's _raw and the
row's _meta says which field and why (docs/design.md §3.11).`


export async function historyCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    { source: { type: 'string' }, stream: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' }, run: { type: 'string' } },
    'history',
  )
  if (values.status !== undefined && !(RUN_STATUSES as readonly string[]).includes(values.status))
    throw new SyncError('config_invalid', `--status must be one of ${RUN_STATUSES.join(', ')}, not ${JSON.stringify(values.status)}`)
  const warehouse = await ctx.warehouse()
  if (values.run !== undefined) {
    const id = positiveInt(values.run, '--run') as number
    const run = await getRun(warehouse, id)
    if (!run) throw new SyncError('config_invalid', `there is no run ${id}`)
    const pages = await listRunPages(warehouse, id)
    const rejects = await listRejects(warehouse, { runId: id, limit: 10 })
    if (values.json) {
      ctx.out.result({ run: runJson(run), pages, rejects: rejects.map((r) => ({ key: r.record_key, reason: r.reason, raw: r.raw })) })
      return 0
    }
    ctx.out.line(`run ${run.id}: ${run.source}.${run.stream} ${run.mode} ${run.status} (${run.trigger})`)
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
        r.mode,
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
