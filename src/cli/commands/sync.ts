import { SOURCE_NAMES } from '../../connectors/registry.ts'
import { recordFailedStart } from '../../engine/failed-start.ts'
import { checkSourceIdentity } from '../../engine/source-identity.ts'
import { runSync, type SyncTarget } from '../../engine/run-sync.ts'
import { exitCodeOf, type RunSummary } from '../../engine/summary.ts'
import { SyncError } from '../../errors.ts'
import { countsOf } from '../../run-counts.ts'
import { attachOperations } from '../../ops/attach-operations.ts'
import { isoInstant, parseCommandArgs, positiveInt } from '../args.ts'
import { checkStreamNames, loadTarget, type CliContext } from '../context.ts'
import { showProgress, totalLine } from '../progress.ts'

export const SYNC_HELP = `crmsync sync <source> [stream...] [options]
crmsync sync --all [options]

Copies a source's streams into the warehouse. With no stream, every stream of the source.
Each page of records is committed with the cursor to resume from, so an interrupted sync loses
nothing: run it again and it carries on.

Which records (first match wins):
  --since ISO, --until ISO   a backfill of [since, until): the stored cursor is left alone;
                             real calendar dates (2024-02-30 is refused), UTC without a zone;
                             --start-date and --end-date are other names for them
  --force                    re-read everything and overwrite every row
  --full                     re-read everything and merge; rows gone from the source are
                             soft-deleted (_deleted_at) once the pass completes
  (none)                     incremental from the stored cursor, or a full pass the first time

Options:
  --all                  every configured source
  --dry-run              read, validate and count what would change; write nothing
  --batch-size N         records per page asked of the source; pages are committed (with the
                         cursor) in batches of at least N records (or ~8 MB of rows, whichever
                         comes first), one transaction each
  --max-records N        stop after exactly N records: the run ends partial (max_records) and
                         the next run carries on from the last record committed; a full pass
                         stopped early deletes nothing until a later run completes it
  --concurrency N        at most N streams at once, in all (1: one after another); by default
                         each source runs as many as it serves side by side (SalesPro 4,
                         HubSpot 3 on one shared rate budget, SalesRabbit 2), sources side by
                         side, at most the warehouse pool's size less 2 in all
  --accept-new-source    the source's endpoint or database changed but it is the same data:
                         record the new one (without it such a sync stops, exit 2, since the
                         warehouse's cursors belong to the other source)
  --json                 print one JSON summary: {"runs":[...]}
  --debug                verbose logs

Exit codes: 0 every stream succeeded; 1 a stream failed, was partial or was busy;
2 bad usage, configuration or credentials.

Examples:
  crmsync sync salespro
  crmsync sync salespro customer estimate --full
  crmsync sync hubspot contacts --since 2024-05-01 --until 2024-06-01
  crmsync sync --all --json`

/** The `--json` shape: one entry per stream run, the fields scripts rely on. */
export function runJson(s: RunSummary) {
  return {
    runId: s.runId,
    source: s.source,
    stream: s.stream,
    mode: s.mode,
    status: s.status,
    ...countsOf(s),
    cursorFrom: s.cursorFrom,
    cursorTo: s.cursorTo,
    durationMs: s.durationMs,
    error: s.error,
    errorCode: s.errorCode,
    dryRun: s.dryRun,
  }
}

export async function syncCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      all: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      since: { type: 'string' },
      until: { type: 'string' },
      'start-date': { type: 'string' },
      'end-date': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'batch-size': { type: 'string' },
      'max-records': { type: 'string' },
      concurrency: { type: 'string' },
      'accept-new-source': { type: 'boolean', default: false },
    },
    'sync',
  )
  const since = isoInstant(values.since ?? values['start-date'], '--since')
  const until = isoInstant(values.until ?? values['end-date'], '--until')
  if (since && until && since >= until) throw new SyncError('config_invalid', `--since (${since}) must be before --until (${until})`)
  if ((since || until) && (values.full || values.force))
    throw new SyncError('config_invalid', '--since/--until read a window and cannot be combined with --full or --force, which read everything')
  const batchSize = positiveInt(values['batch-size'], '--batch-size', 100_000)
  const maxRecords = positiveInt(values['max-records'], '--max-records')
  const concurrency = positiveInt(values.concurrency, '--concurrency', 16)

  const targets = await resolveTargets(ctx, values.all ?? false, positionals, values['dry-run'] ?? false)
  if (values.force && values['dry-run']) ctx.out.note('note: --force with --dry-run shows what a forced sync would overwrite; nothing is written')
  const warehouse = await ctx.warehouse()
  // a warehouse holding another source's data (its cursors would read nothing of this one) stops here
  for (const target of targets) {
    const note = await checkSourceIdentity(warehouse, target, { accept: values['accept-new-source'] ?? false, dryRun: values['dry-run'] ?? false })
    if (note) ctx.out.note(note)
  }
  // closed after the warehouse opened (releasers run in reverse), so alerts deliver before it closes
  const ops = await attachOperations({ warehouse, events: ctx.events, log: ctx.log, retry: ctx.retry, alerts: { config: ctx.config, sources: SOURCE_NAMES } })
  ctx.releasers.push(() => ops.close())
  // runs other processes left 'running' when they died are ended (and alerted) before this one starts
  await ops.heal().catch((error) => ctx.log.warn({ err: error }, 'the dead-run sweep failed; each stream still marks its own dead runs'))
  const stopProgress = values.json ? () => {} : showProgress(ctx.events, { summary: (line) => ctx.out.line(line), sources: targets.length })
  const started = performance.now()
  let runs: RunSummary[]
  try {
    ;({ runs } = await runSync(targets, {
      ...ops.engine,
      flags: { since, until, full: values.full, force: values.force },
      dryRun: values['dry-run'],
      batchSize,
      maxRecords,
      concurrency: concurrency ?? 'per-source',
      signal: ctx.signal,
      trigger: 'cli',
    }))
  } finally {
    stopProgress()
  }
  if (values.json) ctx.out.result({ runs: runs.map(runJson) })
  else {
    // a stream that failed before it had a run (one the source does not have) showed no progress line
    for (const r of runs) if (r.runId === null && r.status === 'failed' && r.error) ctx.out.note(`${r.source}.${r.stream}: ${r.error}`)
    if (runs.length > 1) ctx.out.line(totalLine(runs, Math.round(performance.now() - started)))
  }
  // credentials or configuration the source refused are a usage problem: exit 2
  if (runs.some((r) => r.errorCode === 'auth_failed' || r.errorCode === 'config_invalid')) return 2
  return exitCodeOf(runs)
}

async function resolveTargets(ctx: CliContext, all: boolean, positionals: string[], dryRun: boolean): Promise<SyncTarget[]> {
  if (all) {
    if (positionals.length) throw new SyncError('config_invalid', '--all syncs every configured source; name no source or stream with it')
    // opened first: a warehouse problem (a missing database) is the command's, not one source's to skip
    await ctx.warehouse()
    const configured: SyncTarget[] = []
    const skipped: string[] = []
    for (const source of SOURCE_NAMES) {
      if (ctx.config.file.sources[source]?.enabled === false) continue
      try {
        configured.push(await loadTarget(ctx, source))
      } catch (error) {
        if (error instanceof SyncError && error.code === 'config_invalid') skipped.push(`${source} (${error.message})`)
        else throw error
      }
    }
    if (configured.length === 0) throw new SyncError('config_invalid', `no source is configured: ${skipped.join('; ')}`)
    // said to the person (stderr), not only logged: --all must not pass over a source in silence
    for (const s of skipped) ctx.out.note(`not configured, skipped: ${s}`)
    return configured
  }
  const [source, ...streams] = positionals
  if (!source) throw new SyncError('config_invalid', `name a source (${SOURCE_NAMES.join(', ')}) or use --all. Run \`crmsync sync --help\` for the options.`)
  try {
    return [await loadTarget(ctx, source, streams)]
  } catch (error) {
    // a stream the source does not have is said as such, and no failed run is recorded under its name
    await checkStreamNames(ctx, source, streams)
    // a known source that cannot start (credentials missing or refused) is a failed run, in history and alerts
    if (error instanceof SyncError && (SOURCE_NAMES as readonly string[]).includes(source) && !dryRun) await recordStartFailure(ctx, source, streams, error)
    throw error
  }
}

async function recordStartFailure(ctx: CliContext, source: string, streams: string[], failure: SyncError): Promise<void> {
  try {
    const warehouse = await ctx.warehouse()
    await recordFailedStart({ warehouse, events: ctx.events, log: ctx.log, source, streams, failure, trigger: 'cli', dryRun: false })
  } catch {
    // no warehouse to record in (it is what failed, or not initialized): the error itself says enough
  }
}
