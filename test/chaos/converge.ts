import type pg from 'pg'
import { compareStream } from './compare.ts'
import { resetBreaker } from './database.ts'
import type { ScenarioResult } from './execute.ts'
import type { SourceHandle } from './expected.ts'
import { runCli } from './runner.ts'
import type { SourcePlan } from './scenario.ts'
import { readRejects, readStored } from './warehouse-read.ts'

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
 * succeed, then every stream compared with its source row by row.
 */
export async function converge(ctx: ScenarioContext, plan: SourcePlan, handle: SourceHandle, full: boolean) {
  await resetBreaker(ctx.client, plan.source)
  if (!full) await noteResumedPasses(ctx, plan)
  const started = performance.now()
  const args = ['sync', plan.source, ...plan.streams, '--json', ...(full ? ['--full'] : [])]
  const run = await runCli(args, ctx.env, undefined, FINAL_DEADLINE_MS)
  const what = full ? 'the --full run' : 'the convergence run'
  const bad = run.streams.filter((s) => !converged(s))
  if (run.stoppedBy || run.streams.length === 0 || bad.length > 0) {
    const why =
      bad.map((s) => `${s.stream} ${s.status} (${s.errorCode}: ${s.error})`).join('; ') ||
      run.stoppedBy ||
      `exit ${run.code}${run.signal ? ` (${run.signal})` : ''}: stdout ${JSON.stringify(run.stdout)}, stderr ${run.stderrTail}`
    ctx.result.problems.push(`${plan.source}: ${what} did not succeed: ${why}`)
  }
  const ran = performance.now()
  const truth = await handle.truth(plan.streams, full)
  const rejects = await readRejects(ctx.client, plan.source)
  for (const stream of plan.streams) {
    const stored = await readStored(ctx.client, plan.source, stream)
    const expected = truth.get(stream)
    if (!expected) throw new Error(`no truth for ${plan.source}.${stream}`)
    const diff = compareStream(expected, stored, rejects.get(stream))
    ctx.result.diffs.push({ source: plan.source, after: full ? 'full' : 'incremental', diff })
  }
  const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(1)
  const compared = seconds(ran, performance.now())
  ctx.result.events.push(`${plan.source} ${what}: ${seconds(started, ran)} s, comparison ${compared} s`)
}

/** Not a failure in itself, but the first thing to know about one. */
async function noteResumedPasses(ctx: ScenarioContext, plan: SourcePlan) {
  const { rows } = await ctx.client.query<{ stream: string }>(
    `SELECT stream FROM crmsync.stream_state
     WHERE source = $1 AND full_pass IS NOT NULL AND stream = ANY($2) ORDER BY stream`,
    [plan.source, plan.streams],
  )
  if (rows.length === 0) return
  const streams = rows.map((r) => r.stream).join(', ')
  ctx.result.events.push(`${plan.source}: the convergence run resumes an interrupted full pass of ${streams}`)
}
