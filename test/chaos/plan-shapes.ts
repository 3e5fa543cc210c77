import type { Random } from '../../emulators/shared/random.ts'
import { kindsFor, planFaults, planMutations, type MutationContext, type MutationPlan } from './plan-chaos.ts'
import type { KillPlan, StepPlan } from './scenario.ts'

/** What a shape needs to know: the mutation context and the emulator's size. */
export interface ShapeContext extends MutationContext {
  rows: number
}

interface ShapedTimeline {
  steps: StepPlan[]
  /** changes before the convergence run */
  finalMutations: MutationPlan[]
}

const plainStep = (via: StepPlan['via']): StepPlan => ({
  full: false,
  via,
  faults: {},
  before: [],
  mutations: [],
})

/**
 * The README demo (`src/cli/commands/demo.ts`): a full sync of every stream in process, then
 * updates, inserts and deletes at the source while nothing syncs, then an incremental run (here
 * the convergence run).
 */
export function planDemoShape(r: Random, ctx: ShapeContext): ShapedTimeline {
  const finalMutations: MutationPlan[] = []
  for (const stream of ctx.streams) {
    const kinds = new Set(kindsFor(ctx.source, stream).map(([kind]) => kind))
    const change = (kind: MutationPlan['kind'], count: number) =>
      kinds.has(kind) && finalMutations.push({ delayMs: 0, stream, kind, count })
    change('update', r.int(2, 8))
    change('insert', r.int(1, 5))
    change(kinds.has('delete') ? 'delete' : 'unlink', r.int(1, 3))
  }
  return { steps: [plainStep('lib')], finalMutations }
}

/**
 * A full pass cut early (SIGINT, SIGTERM, SIGKILL, `--max-records`, or an in-process run stopped
 * as a worker's stop request stops it), deletes and re-inserts of the same keys while it is
 * paused and while it resumes, then the resumption by another kind of process: an in-process run
 * after the CLI, or the CLI (a later step, or the convergence run) after an in-process run.
 * Sometimes the resuming run is cut too, so the pass is paused twice.
 */
export function planResumedShape(r: Random, ctx: ShapeContext): ShapedTimeline {
  const steps: StepPlan[] = []
  // most often the table already has rows when the cut pass starts, so it tracks the keys it sees
  if (r.chance(0.7)) {
    const first = plainStep(r.chance(0.5) ? 'lib' : 'cli')
    first.mutations = planMutations(r, ctx, r.int(0, 2), 600)
    steps.push(first)
  }
  const episodes = r.chance(0.7) ? 1 : 2
  for (let i = 0; i < episodes; i++) {
    const cut = cutStep(r, ctx, steps.length > 0)
    if (steps.length > 0) cut.before = pauseChanges(r, ctx)
    steps.push(cut)
    // the last cut is often left to the convergence run (the CLI) to resume
    if (i === episodes - 1 && r.chance(0.4)) break
    const resume = plainStep(cut.via === 'cli' ? 'lib' : 'cli')
    resume.before = pauseChanges(r, ctx)
    resume.mutations = planMutations(r, { ...ctx, deleteHeavy: true }, r.int(0, 3), 800)
    if (r.chance(0.25)) resume.faults = planFaults(r, ctx.source)
    if (r.chance(0.25)) resume.kill = cutKill(r, ctx, resume.via)
    steps.push(resume)
  }
  return { steps, finalMutations: pauseChanges(r, ctx) }
}

/** A run whose full pass ends early on purpose: `--full`, or the first run of a stream (a full pass anyway). */
function cutStep(r: Random, ctx: ShapeContext, full: boolean): StepPlan {
  const how = r.pick(['SIGINT', 'SIGTERM', 'SIGKILL', 'max-records', 'max-records', 'stop'] as const)
  const via = how === 'stop' || (how === 'max-records' && r.chance(0.5)) ? 'lib' : 'cli'
  const step: StepPlan = {
    full,
    via,
    faults: r.chance(0.25) ? planFaults(r, ctx.source) : {},
    before: [],
    mutations: planMutations(r, { ...ctx, deleteHeavy: true }, r.int(0, 3), 800),
  }
  if (how === 'max-records') step.maxRecords = r.int(1, Math.max(1, Math.floor(ctx.rows * 0.7)))
  else step.kill = how === 'stop' ? cutKill(r, ctx, 'lib') : { ...cutKill(r, ctx, 'cli'), signal: how }
  return step
}

/** After a few pages, before the pass can end: an in-process run only stops gracefully. */
function cutKill(r: Random, ctx: ShapeContext, via: StepPlan['via']): KillPlan {
  const pages = Math.max(2, Math.ceil(ctx.rows / ctx.batchSize))
  const signal = via === 'lib' ? 'SIGINT' : r.pick(['SIGINT', 'SIGTERM', 'SIGKILL'] as const)
  return { signal, afterPages: r.int(1, Math.min(pages - 1, 20)), jitterMs: r.chance(0.5) ? 0 : r.int(1, 12) }
}

/** Changes while nothing syncs: at least one delete, and (SalesPro) often a re-insert of a deleted key. */
function pauseChanges(r: Random, ctx: ShapeContext): MutationPlan[] {
  const out = planMutations(r, { ...ctx, deleteHeavy: true }, r.int(0, 2), 0)
  const deletable = ctx.streams.flatMap((stream) => {
    const kinds = kindsFor(ctx.source, stream).map(([kind]) => kind)
    const kind = kinds.includes('delete') ? 'delete' : kinds.includes('unlink') ? 'unlink' : undefined
    return kind ? [{ stream, kind } as const] : []
  })
  // SalesPro: often keys the paused pass already read, the ones it can wrongly count as seen
  const seen = ctx.source === 'salespro' && r.chance(0.6)
  if (deletable.length) {
    out.unshift({ delayMs: 0, ...r.pick(deletable), count: r.int(1, 4), ...(seen && { seen }) })
  }
  if (ctx.source === 'salespro' && deletable.length && r.chance(0.5)) {
    out.push({ delayMs: 0, stream: r.pick(deletable).stream, kind: 'reinsert', count: r.int(1, 3) })
  }
  return out
}
