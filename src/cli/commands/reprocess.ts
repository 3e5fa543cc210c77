import type { Stream } from '../../connectors/types.ts'
import { cannotRebuild, runReprocess } from '../../engine/reprocess.ts'
import { streamsOfTarget, type SyncTarget } from '../../engine/run-sync.ts'
import { exitCodeOf, type RunSummary } from '../../engine/summary.ts'
import { SyncError } from '../../errors.ts'
import { countsOf, zeroRunCounts } from '../../run-counts.ts'
import { parseCommandArgs, positiveInt } from '../args.ts'
import { loadTarget, type CliContext } from '../context.ts'
import { summaryLine } from '../progress.ts'
import { runJson } from './sync.ts'

export const REPROCESS_HELP = `crmsync reprocess <source> [stream...] [options]

Applies today's processors and validators to the rows already in the warehouse, from the record
each row keeps as received (_raw): no call to the source, nothing re-read or re-billed. Use it
after crmsync learned to read a value better (a new title variant, a money format, a column type
pinned in the config): the typed columns and _meta of the rows whose values change are rewritten.

What it never does: read the source, insert or soft-delete a row, move a stream's cursor or full
pass, or change a row's _raw, _hash or _synced_at (the source did not change). It rewrites only
live rows, in batches by primary key, each committed with the key it ended at: a reprocess
that is interrupted (even killed) carries on after that key at the next \`crmsync reprocess\` of
the stream. It holds the stream like a sync: a sync of the stream waits for it (and the other
way round). It is a run in \`crmsync history\`, mode reprocess.

With no stream, every stream of the source that can be reprocessed and has a table. A stream whose
records depend on more than their _raw (SalesPro's user_activity and lead_result_line_item,
HubSpot's associations) cannot be reprocessed: naming one is refused (exit 2); re-read it with
\`crmsync sync <source> <stream> --full\`.

Options:
  --keys K1,K2,…     only the rows of these primary keys (one stream; a compound key's parts
                     joined by U+001F); no resume point is kept
  --dry-run          compute what would change and roll it back
  --batch-size N     rows per batch (one transaction each); the source's batchSize by default
  --json             print {"runs":[...], "fetched", "updated", "unchanged", "rejected", "coerced"}:
                     one entry per stream (runId, stream, status, counts…), and the totals

Counts: fetched = rows read from the table; updated = rows whose typed values or _meta changed;
unchanged; rejected = rows today's processors refuse (kept as they were; see crmsync rejects list);
coerced = rows stored with a field nulled that did not fit its column (see _meta).

Exit codes: 0 every stream succeeded; 1 a stream failed, was partial or busy (a sync holds it);
2 bad usage, configuration, or a stream that cannot be reprocessed.

Examples:
  crmsync reprocess salespro customer
  crmsync reprocess salespro lead_result --dry-run --json
  crmsync reprocess hubspot contacts --keys 101,102`

/** The source's streams (no records read: SalesPro and SalesRabbit make no call; HubSpot reads its property definitions). */
export const streamsOf = (ctx: CliContext, target: SyncTarget): Promise<readonly Stream[]> => streamsOfTarget(target, ctx.log, ctx.signal)

/** The named streams of the source (all when none is named), refusing a name it does not have. */
export function pickStreams(source: string, all: readonly Stream[], names: readonly string[]): readonly Stream[] {
  for (const name of names) {
    if (!all.some((s) => s.name === name)) throw new SyncError('config_invalid', `${source} has no stream ${JSON.stringify(name)}; its streams are ${all.map((s) => s.name).join(', ')}`)
  }
  return names.length ? all.filter((s) => names.includes(s.name)) : all
}

/** The `--json` shape of runs over stored rows: sync's entries, and the totals at the top. */
export function runsJson(runs: readonly RunSummary[]) {
  const totals = zeroRunCounts()
  for (const run of runs) for (const [key, value] of Object.entries(countsOf(run))) totals[key as keyof typeof totals] += value
  return { runs: runs.map(runJson), ...totals }
}

export async function reprocessCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { keys: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, 'batch-size': { type: 'string' } }, 'reprocess')
  const [source, ...names] = positionals
  if (!source) throw new SyncError('config_invalid', 'name a source to reprocess (and optionally its streams). Run `crmsync reprocess --help` for the options.')
  const keys = values.keys === undefined ? undefined : values.keys.split(',').map((k) => k.trim()).filter((k) => k !== '')
  if (keys !== undefined && (keys.length === 0 || names.length !== 1)) throw new SyncError('config_invalid', '--keys takes a comma-separated list of primary keys of exactly one named stream')
  const batchSize = positiveInt(values['batch-size'], '--batch-size', 100_000)
  const target = await loadTarget(ctx, source, names)
  const all = await streamsOf(ctx, target)
  const warehouse = await ctx.warehouse()
  let streams = pickStreams(source, all, names)
  if (names.length) {
    const refusals = streams.flatMap((s) => cannotRebuild(source, s) ?? [])
    if (refusals.length) throw new SyncError('config_invalid', refusals.join('\n'))
  } else {
    const skipped = streams.filter((s) => cannotRebuild(source, s)).map((s) => s.name)
    if (skipped.length) ctx.out.note(`not reprocessed (their records cannot be rebuilt from _raw): ${skipped.join(', ')}`)
    const present = await Promise.all(streams.map((s) => warehouse.store.tableExists(warehouse, source, s.name)))
    streams = streams.filter((s, i) => !cannotRebuild(source, s) && present[i])
  }
  const runs: RunSummary[] = []
  for (const stream of streams) {
    if (ctx.signal.aborted) break
    runs.push(
      await runReprocess(source, stream, {
        warehouse,
        log: ctx.log,
        events: ctx.events,
        dryRun: values['dry-run'] ?? false,
        batchSize: batchSize ?? target.settings.batchSize,
        keys,
        trigger: 'cli',
        contract: target.settings.streams?.[stream.name],
        timeZone: target.settings.timeZone,
        signal: ctx.signal,
      }),
    )
  }
  if (values.json) ctx.out.result(runsJson(runs))
  else for (const run of runs) ctx.out.line(summaryLine(run))
  if (runs.some((r) => r.errorCode === 'config_invalid')) return 2
  return exitCodeOf(runs)
}
