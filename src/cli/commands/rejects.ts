import type { Stream } from '../../connectors/types.ts'
import { SOURCE_NAMES } from '../../connectors/registry.ts'
import { cannotRebuild } from '../../engine/reprocess.ts'
import { retryRejects, retrySettingsOf } from '../../engine/retry-rejects.ts'
import type { SyncTarget } from '../../engine/run-sync.ts'
import { exitCodeOf, type RunSummary } from '../../engine/summary.ts'
import { SyncError } from '../../errors.ts'
import { listRejects, type RejectFilter } from '../../warehouse/sql/rejects.ts'
import { parseCommandArgs, positiveInt } from '../args.ts'
import { loadTarget, type CliContext } from '../context.ts'
import { formatNumber, table } from '../output.ts'
import { summaryLine } from '../progress.ts'
import { pickStreams, runsJson, streamsOf } from './reprocess.ts'

export const REJECTS_HELP = `crmsync rejects [list] [<source> [stream]] [--run ID] [--limit N] [--json]
crmsync rejects retry [<source> [stream]] [--run ID] [--dry-run] [--json]

Records crmsync could not store are kept in crmsync.rejects with the record as received and why:
a key or cursor value that cannot be read, something that is not a record, or a row PostgreSQL
refused (docs/design.md §3.11).

list    the rejected records, newest first: id, run, source, stream, key, reason, created
        (--limit N, 50 by default; --json adds each record's raw)
retry   runs the rejected records through today's processors, with no call to the source (after
        crmsync learned to read what they hold). Those that now pass are stored — unless the
        warehouse already holds a newer version of the record (by the stream's modification
        time): an older version never overwrites a newer one — and leave crmsync.rejects in the
        same transaction; the others stay, with the reason today's processors give. Each stream
        retried is a run in \`crmsync history\` (mode reprocess) holding the stream like a sync.
        Rejects of a stream whose records cannot be rebuilt from what was received (SalesPro's
        user_activity and lead_result_line_item, HubSpot's associations) are left, and listed.

Options:
  --run ID     only the rejects of this run
  --dry-run    (retry) compute what would be stored and roll it back
  --json       list: {"rejects":[...]}; retry: {"runs":[...], "left":[...], and the totals}

Exit codes: 0 done; 1 a retry failed, was busy, or some records are still refused; 2 bad usage.

Examples:
  crmsync rejects list salespro
  crmsync rejects retry salespro customer
  crmsync rejects retry --run 42 --json`

export async function rejectsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { run: { type: 'string' }, limit: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } }, 'rejects')
  // no action at all lists them, as `crmsync alerts` does
  const [action = 'list', source, stream, ...extra] = positionals
  if (action !== 'list' && action !== 'retry') throw new SyncError('config_invalid', `say what to do with the rejects: list or retry, not ${JSON.stringify(action)}. Run \`crmsync rejects --help\` for the options.`)
  if (extra.length) throw new SyncError('config_invalid', `rejects ${action} takes at most a source and one stream; unexpected: ${extra.join(' ')}`)
  if (source !== undefined && !(SOURCE_NAMES as readonly string[]).includes(source)) throw new SyncError('config_invalid', `unknown source ${JSON.stringify(source)}; crmsync knows ${SOURCE_NAMES.join(', ')}`)
  const filter: RejectFilter = { source, stream, runId: positiveInt(values.run, '--run') }
  if (action === 'list') return listCommand(ctx, filter, positiveInt(values.limit, '--limit', 100_000) ?? 50, values.json ?? false)
  return retryCommand(ctx, filter, values['dry-run'] ?? false, values.json ?? false)
}

async function listCommand(ctx: CliContext, filter: RejectFilter, limit: number, json: boolean): Promise<number> {
  const rejects = await listRejects(await ctx.warehouse(), { ...filter, limit })
  const rows = rejects.map((r) => ({ id: Number(r.id), runId: r.run_id === null ? null : Number(r.run_id), source: r.source, stream: r.stream, key: r.record_key, reason: r.reason, created: r.created_at.toISOString() }))
  if (json) {
    ctx.out.result({ rejects: rows.map((r, i) => ({ ...r, raw: rejects[i].raw })) })
    return 0
  }
  if (rows.length === 0) {
    ctx.out.line('no rejected records')
    return 0
  }
  ctx.out.line(table(['id', 'run', 'source', 'stream', 'key', 'reason', 'created (UTC)'], rows.map((r) => [r.id, r.runId, r.source, r.stream, r.key ?? '(no key)', r.reason, r.created.slice(0, 19).replace('T', ' ')])))
  if (rows.length === limit) ctx.out.note(`showing the newest ${formatNumber(limit)}; --limit N shows more`)
  return 0
}

/** A stream's rejects that were not retried, and why. */
interface Left {
  source: string
  stream: string
  rejects: number
  reason: string
}

async function retryCommand(ctx: CliContext, filter: RejectFilter, dryRun: boolean, json: boolean): Promise<number> {
  const warehouse = await ctx.warehouse()
  const groups = await warehouse.store.rejectStreams(warehouse, filter)
  const targets = new Map<string, { target: SyncTarget; streams: readonly Stream[] } | SyncError>()
  const runs: RunSummary[] = []
  const left: Left[] = []
  for (const group of groups) {
    if (ctx.signal.aborted) break
    if (!targets.has(group.source)) targets.set(group.source, await openSource(ctx, group.source))
    const opened = targets.get(group.source) as { target: SyncTarget; streams: readonly Stream[] } | SyncError
    if (opened instanceof SyncError) {
      left.push({ ...group, reason: opened.message })
      continue
    }
    const stream = opened.streams.find((s) => s.name === group.stream)
    const why = stream ? cannotRebuild(group.source, stream) : `${group.source} has no stream ${group.stream} any more`
    if (why || !stream) {
      // a stream named on the command line that cannot be retried is a usage error, as for reprocess
      if (filter.stream) throw new SyncError('config_invalid', why as string)
      left.push({ ...group, reason: why as string })
      continue
    }
    const { settings } = opened.target
    runs.push(
      await retryRejects(group.source, stream, {
        warehouse,
        log: ctx.log,
        events: ctx.events,
        dryRun,
        ...retrySettingsOf(settings, stream),
        runId: filter.runId,
        trigger: 'cli',
        signal: ctx.signal,
      }),
    )
  }
  if (json) ctx.out.result({ ...runsJson(runs), left })
  else {
    if (groups.length === 0) ctx.out.line('no rejected records to retry')
    for (const run of runs) ctx.out.line(summaryLine(run))
    for (const l of left) ctx.out.line(`- ${l.source}.${l.stream}  ${formatNumber(l.rejects)} rejects left: ${l.reason}`)
  }
  if (runs.some((r) => r.errorCode === 'config_invalid')) return 2
  return exitCodeOf(runs)
}

/** The source's config and streams, or why its rejects cannot be retried here (its credentials are missing, say). */
async function openSource(ctx: CliContext, source: string): Promise<{ target: SyncTarget; streams: readonly Stream[] } | SyncError> {
  try {
    const target = await loadTarget(ctx, source)
    return { target, streams: pickStreams(source, await streamsOf(ctx, target), []) }
  } catch (error) {
    if (error instanceof SyncError) return error
    throw error
  }
}
