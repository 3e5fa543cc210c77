import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type pg from 'pg'
import { createRandom, deriveSeed, type Random } from '../../emulators/shared/random.ts'
import type { SourceName } from './catalog.ts'
import { diffCount, type StreamDiff } from './compare.ts'
import { historyContracts } from './history-check.ts'
import { converge, type ScenarioContext } from './converge.ts'
import { cloneDatabase, connect, dropDatabase, waitIdle } from './database.ts'
import type { SourceHandle } from './expected.ts'
import { openPasses, type RunWindow } from './full-pass-ends.ts'
import type { MutationPlan } from './plan-chaos.ts'
import { describeSchemaEvents } from './report.ts'
import { runCli, runInProcess, type RunResult } from './runner.ts'
import type { ScenarioPlan, SourcePlan, StepPlan } from './scenario.ts'
import { startSourceHandle } from './sources.ts'
import { createStampClock } from './stamp-clock.ts'
import { seenByOpenPass } from './warehouse-read.ts'

export interface SourceDiff {
  source: SourceName
  /** 'incremental' after the convergence run; 'full' after the extra --full run (SalesPro) */
  after: 'incremental' | 'full'
  diff: StreamDiff
}

export interface ScenarioResult {
  plan: ScenarioPlan
  passed: boolean
  ms: number
  diffs: SourceDiff[]
  /** failures that are not row differences: a convergence run that failed, a harness error */
  problems: string[]
  /** what happened on the way: kills that landed, failed runs, changes the emulator refused */
  events: string[]
  /** the scenario's database, kept when it failed and `keep` was asked */
  database?: string
}

export interface ExecuteOptions {
  adminUrl: string
  template: string
  /** keep the database of a failed scenario for inspection */
  keep?: boolean
}

// a run still going after this is SIGKILLed: under a 429 storm that is one more crash
const STEP_DEADLINE_MS = 12_000

/** Runs one scenario end to end: faults and kills, changes, the convergence run, the comparison. */
export async function executeScenario(plan: ScenarioPlan, options: ExecuteOptions): Promise<ScenarioResult> {
  const started = performance.now()
  const result: ScenarioResult = { plan, passed: false, ms: 0, diffs: [], problems: [], events: [] }
  const db = await cloneDatabase(options.adminUrl, options.template)
  const home = mkdtempSync(join(tmpdir(), 'crmsync-chaos-'))
  const handles: SourceHandle[] = []
  let client: pg.Pool | undefined
  try {
    for (const source of plan.sources) handles.push(await startSourceHandle(source))
    // history mode for every stream of the scenario (history-check.ts): the CLI's config and the
    // in-process runs both read this section
    for (const [i, handle] of handles.entries()) handle.configSection.streams = historyContracts(plan.sources[i].streams, plan.sources[i].slimRaw ? 'slim' : 'whole')
    result.events.push(...plan.sources.flatMap((s) => describeSchemaEvents(s) ?? []))
    const ready = ((performance.now() - started) / 1000).toFixed(1)
    result.events.push(`database and emulators ready in ${ready} s`)
    const configPath = join(home, 'crmsync.config.json')
    const sections = Object.fromEntries(handles.map((h) => [h.source, h.configSection]))
    writeFileSync(configPath, JSON.stringify({ sources: sections }))
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CRMSYNC_HOME: join(home, 'state'),
      CRMSYNC_CONFIG: configPath,
      DATABASE_URL: db.url,
      // retries keep their shape, not their minutes
      CRMSYNC_RETRY_SCALE: '0.01',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...Object.assign({}, ...handles.map((h) => h.env)),
    }
    client = await connect(db.url)
    const ctx: ScenarioContext = { env, db, client, result }
    await Promise.all(plan.sources.map((source, i) => runSource(ctx, source, handles[i])))
    for (const handle of handles) result.events.push(...handle.notes.map((n) => `${handle.source}: ${n}`))
  } catch (error) {
    result.problems.push(`harness error: ${(error as Error).stack ?? error}`)
  } finally {
    await client?.end().catch(() => {})
    for (const handle of handles) await handle.close().catch(() => {})
    rmSync(home, { recursive: true, force: true })
    result.passed = result.problems.length === 0 && result.diffs.every((d) => diffCount(d.diff) === 0)
    if (result.passed || !options.keep) await dropDatabase(options.adminUrl, db.name).catch(() => {})
    else result.database = db.name
    result.ms = performance.now() - started
  }
  return result
}

/** One source's timeline: runs under faults with changes landing meanwhile, then convergence. */
async function runSource(ctx: ScenarioContext, plan: SourcePlan, handle: SourceHandle): Promise<void> {
  const clock = createStampClock(plan.skewSeconds * 1000)
  const queue = createQueue()
  const random = createRandom(deriveSeed(plan.emulatorSeed, 'seen-keys'))
  const change = (m: MutationPlan) =>
    queue(async () => {
      const seen = m.seen ? await seenByOpenPass(ctx.client, plan.source, m.stream) : []
      return handle.mutate(m, clock, shuffle(random, seen))
    }).catch((error) => {
      handle.notes.push(`change ${m.kind} ${m.stream} refused: ${(error as Error).message}`)
    })
  const windows: RunWindow[] = []
  for (const [i, step] of plan.steps.entries()) {
    // a pause between runs: these changes land while nothing syncs
    for (const m of step.before) await change(m)
    await handle.applyFaults(step.faults)
    const openBefore = await openPasses(ctx.client, plan.source, plan.streams)
    const startedMs = Date.now()
    const changes = Promise.all(step.mutations.map((m) => sleep(m.delayMs).then(() => change(m))))
    const run = await runStep(ctx, plan, handle, step)
    const label = `run ${i + 1} (${step.via})`
    windows.push({ label, startedMs, endedMs: Date.now(), full: step.full, openBefore })
    await changes
    await handle.clearFaults()
    if (!(await waitIdle(ctx.client, ctx.db.name))) {
      ctx.result.events.push(`${plan.source}: run ${i + 1} left connections behind`)
    }
    const open = [...(await openPasses(ctx.client, plan.source, plan.streams)).keys()]
    const left = open.length ? `; full pass left open: ${open.join(', ')}` : ''
    ctx.result.events.push(`${plan.source} run ${i + 1} (${stepWords(step)}): ${describeRun(run)}${left}`)
  }
  for (const m of plan.finalMutations) await change(m)
  await converge(ctx, plan, handle, false, windows)
  if (plan.finalFull) await converge(ctx, plan, handle, true, windows)
}

function runStep(ctx: ScenarioContext, plan: SourcePlan, handle: SourceHandle, step: StepPlan) {
  if (step.via === 'lib') {
    return runInProcess({
      source: plan.source,
      streams: plan.streams,
      env: handle.env,
      section: handle.configSection,
      databaseUrl: ctx.db.url,
      full: step.full,
      deadlineMs: STEP_DEADLINE_MS,
      stop: step.kill,
      maxRecords: step.maxRecords,
    })
  }
  const args = ['sync', plan.source, ...plan.streams, '--json', '--debug', ...(step.full ? ['--full'] : [])]
  if (step.maxRecords !== undefined) args.push('--max-records', String(step.maxRecords))
  return runCli(args, ctx.env, step.kill, STEP_DEADLINE_MS)
}

/** `cli, --full, --max-records 9, 3 changes before` */
function stepWords(step: StepPlan): string {
  const words: string[] = [step.via]
  if (step.full) words.push('--full')
  if (step.maxRecords !== undefined) words.push(`--max-records ${step.maxRecords}`)
  const change = (m: MutationPlan) => `${m.kind} ${m.count}${m.seen ? ' seen' : ''} ${m.stream}`
  if (step.before.length) words.push(`${step.before.map(change).join(', ')} before`)
  return words.join(', ')
}

function describeRun(run: RunResult): string {
  const failed = run.streams
    .filter((s) => s.status !== 'succeeded')
    .map((s) => `${s.stream} ${s.status}${s.errorCode ? ` ${s.errorCode}` : ''}${s.error ? ` (${s.error.slice(0, 160)})` : ''}`)
  const end = run.stoppedBy ? `stopped by ${run.stoppedBy}` : `exit ${run.code}`
  const seconds = (run.ms / 1000).toFixed(1)
  return `${end} after ${run.pages} pages in ${seconds} s${failed.length ? `; ${failed.join(', ')}` : ''}`
}

/** Changes to one source apply one at a time, so their stamps are in the order they land. */
function createQueue() {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(work: () => Promise<T>): Promise<T> => {
    const next = tail.then(work)
    tail = next.catch(() => {})
    return next
  }
}

function shuffle<T>(r: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = r.int(0, i)
    ;[items[i], items[j]] = [items[j], items[i]]
  }
  return items
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
