import type pg from 'pg'
import { compareStream, type StreamDiff } from './compare.ts'
import { resetBreaker } from './database.ts'
import type { ScenarioResult } from './execute.ts'
import type { Expected, SourceHandle } from './expected.ts'
import { lastFullPasses, openPasses, type PassEnd, type RunWindow } from './full-pass-ends.ts'
import { KEY_SEPARATOR } from './catalog.ts'
import { runCli } from './runner.ts'
import type { SourcePlan } from './scenario.ts'
import { checkHistory } from './history-check.ts'
import { judgeColumns } from './judge-columns.ts'
import { readRejects, readStored, readTable } from './warehouse-read.ts'

export interface ScenarioContext {
  /** the environment of a crmsync child process: the scenario's database, config and emulators */
  env: NodeJS.ProcessEnv
  db: { name: string; url: string }
  /** the harness's own connection to the scenario's database */
  client: pg.Pool
  result: ScenarioResult
}

const FINAL_DEADLINE_MS = 120_000

// a stream may end `partial` only because it rejected malformed records, which the scenario planted
const converged = (s: { status: string; errorCode: string | null }) =>
  s.status === 'succeeded' || (s.status === 'partial' && s.errorCode === 'rejected_records')

/**
 * The faults are off: ONE more run of the real CLI (or, `full`, a `--full` one), which must
 * succeed, then every stream compared with its source row by row. Deletes are judged against the
 * last complete full pass of each stream, whichever run completed it (full-pass-ends.ts).
 */
export async function converge(
  ctx: ScenarioContext,
  plan: SourcePlan,
  handle: SourceHandle,
  full: boolean,
  windows: RunWindow[],
) {
  await resetBreaker(ctx.client, plan.source)
  const openBefore = await noteResumedPasses(ctx, plan, full)
  const started = performance.now()
  const startedMs = Date.now()
  const args = ['sync', plan.source, ...plan.streams, '--json', ...(full ? ['--full'] : [])]
  const run = await runCli(args, ctx.env, undefined, FINAL_DEADLINE_MS)
  const what = full ? 'the --full run' : 'the convergence run'
  windows.push({ label: what, startedMs, endedMs: Date.now(), full, openBefore })
  const bad = run.streams.filter((s) => !converged(s))
  if (run.stoppedBy || run.streams.length === 0 || bad.length > 0) {
    const why =
      bad.map((s) => `${s.stream} ${s.status} (${s.errorCode}: ${s.error})`).join('; ') ||
      run.stoppedBy ||
      `exit ${run.code}${run.signal ? ` (${run.signal})` : ''}: stdout ${JSON.stringify(run.stdout)}, stderr ${run.stderrTail}`
    ctx.result.problems.push(`${plan.source}: ${what} did not succeed: ${why}`)
  }
  const ran = performance.now()
  const passes = await lastFullPasses(ctx.client, plan.source, plan.streams, windows)
  const judgeBefore = new Map([...passes].map(([stream, end]) => [stream, end.finalPartBegan]))
  const truth = await handle.truth(plan.streams, judgeBefore, full)
  const rejects = await readRejects(ctx.client, plan.source)
  for (const stream of plan.streams) {
    const stored = await readStored(ctx.client, plan.source, stream)
    const expected = truth.get(stream)
    if (!expected) throw new Error(`no truth for ${plan.source}.${stream}`)
    const diff = compareStream(expected, stored, rejects.get(stream))
    if (expected.columns) {
      judgeColumns(expected, stored, await readTable(ctx.client, plan.source, stream), diff)
    }
    ctx.result.diffs.push({ source: plan.source, after: full ? 'full' : 'incremental', diff })
    noteJudgedDeletes(ctx, `${plan.source}.${stream}`, expected, diff.notDeleted, passes.get(stream))
    noteColumns(ctx, `${plan.source}.${stream}${full ? ' after --full' : ''}`, expected, diff)
  }
  const history = await checkHistory(ctx.client, plan.source, plan.streams)
  ctx.result.problems.push(...history.map((p) => `${what}: ${p}`))
  if (history.length === 0) ctx.result.events.push(`${plan.source} ${what}: the history of ${plan.streams.join(', ')} holds its invariants`)
  const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1)
  const compared = seconds(ran, performance.now())
  ctx.result.events.push(`${plan.source} ${what}: ${seconds(started, ran)} s, comparison ${compared} s`)
}

/** What the column judge looked at: a verdict of 0 problems means something only if it judged values. */
function noteColumns(ctx: ScenarioContext, where: string, expected: Expected, diff: StreamDiff) {
  if (!expected.columns) return
  const lag = diff.lagging ? `, ${diff.lagging} rows lagging in fields changed after them (allowed)` : ''
  const fields = `${expected.columns.length} fields`
  const nulled = `${diff.judgedNulled} unreadable ones NULL with their _meta`
  const values = `${diff.judgedValues} values judged, ${nulled}`
  ctx.result.events.push(`${where}: columns: ${fields}, ${values}${lag}`)
}

/** Not a failure in itself, but the first thing to know about one; returns the passes open. */
async function noteResumedPasses(ctx: ScenarioContext, plan: SourcePlan, full: boolean) {
  const open = await openPasses(ctx.client, plan.source, plan.streams)
  if (open.size > 0 && !full) {
    const streams = [...open.keys()].join(', ')
    ctx.result.events.push(`${plan.source}: the convergence run resumes an interrupted full pass of ${streams}`)
  }
  return open
}

/**
 * Which deletes were judged, and, when some stayed live, whether a resumed pass is why: the
 * line to grep for when counting the scenarios that found "a resumed full pass does not converge".
 */
function noteJudgedDeletes(
  ctx: ScenarioContext,
  where: string,
  expected: Expected,
  notDeleted: string[],
  pass?: PassEnd,
) {
  const judged = expected.judged.size + expected.judgedScopes.size
  const excused = expected.tolerated.size + expected.toleratedScopes.size
  if (!pass || judged + excused === 0) return
  const scope = (key: string) => key.split(KEY_SEPARATOR)[0]
  const missed = notDeleted.filter((k) => expected.judged.has(k) || expected.judgedScopes.has(scope(k)))
  const how = pass.resumed ? 'a resumed pass' : 'a fresh pass'
  const began = new Date(pass.finalPartBegan).toISOString().slice(11, 23)
  const counts = `${judged} deletes judged, ${excused} excused`
  const last = `last full pass completed by ${pass.run} (${how}, last part began ${began})`
  ctx.result.events.push(`${where}: ${last}: ${counts}`)
  if (missed.length === 0) return
  const firstLoad = pass.keptKeys ? '' : ' (first load: the pass began on a table with no live rows and kept no keys)'
  const defect = pass.resumed ? `RESUMED-PASS DEFECT${firstLoad}` : 'FRESH-PASS MISS'
  const what = `${missed.length} rows deleted at the source before that part began are still live`
  ctx.result.events.push(`${where}: ${defect}: ${what}`)
}
