import { createRandom, deriveSeed, type Random } from '../../emulators/shared/random.ts'
import { CATALOG, streamsOf, type SourceName } from './catalog.ts'
import { applyDeleteBudget } from './delete-budget.ts'
import { planFaults, planMutations, type FaultPlan, type MutationPlan } from './plan-chaos.ts'
import { planSchemaEvents } from './plan-schema.ts'
import { planDemoShape, planResumedShape, type ShapeContext } from './plan-shapes.ts'

/**
 * One scenario is a plan derived from its seed alone, so `--scenarios 1 --seed S` replays it:
 * which sources and streams, how much data, the page size, the source's clock skew, and a few
 * runs under faults (some killed), each with source changes landing while it runs. After them
 * come the faults-off changes, ONE incremental run per source, and the comparison.
 * The seed fixes the plan, not the interleaving: when a kill or a change lands relative to the
 * pages depends on timing, so a rare failure may need a few replays.
 */
export interface KillPlan {
  /** a CLI run gets the signal; an in-process run only a graceful stop (its abort signal, as a worker's stop request) */
  signal: 'SIGKILL' | 'SIGTERM' | 'SIGINT'
  /** after this many "page committed" log lines (any stream of the run)… */
  afterPages?: number
  /** …or this long after the process started */
  afterMs?: number
  /** extra delay after the trigger, so the kill lands anywhere in the next page's commit */
  jitterMs: number
}

export interface StepPlan {
  /** `--full` re-reads everything; otherwise the engine decides (full the first time, then incremental) */
  full: boolean
  /** the real CLI in a child process (killable), or runSync in this process (faster) */
  via: 'cli' | 'lib'
  kill?: KillPlan
  /** `--max-records N` (runSync's `maxRecords`): each stream stops after N records, a full pass left open */
  maxRecords?: number
  faults: FaultPlan
  /** applied before the run starts, while nothing syncs (a pause between two runs) */
  before: MutationPlan[]
  /** applied while the run goes, each after its delay */
  mutations: MutationPlan[]
}

/**
 * How a source's timeline is drawn: `random` (runs under faults, changes while they go), `resumed`
 * (a `--full` pass cut early, deletes and re-inserts while it is paused, then resumed by another
 * kind of process), `demo` (the README demo: a full sync, changes with deletes, an incremental run).
 */
export const SHAPES = ['random', 'resumed', 'demo'] as const
export type Shape = (typeof SHAPES)[number]

export interface SourcePlan {
  source: SourceName
  shape: Shape
  streams: string[]
  /** the emulator's size (`rows` option) and seed */
  rows: number
  emulatorSeed: number
  batchSize: number
  skewSeconds: number
  /** SalesPro: malformed rows present from the start (the emulator's `malformed` option) */
  malformedAtStart: number
  steps: StepPlan[]
  /** changes after the faults stopped, right before the convergence run */
  finalMutations: MutationPlan[]
  /**
   * a `--full` run after the convergence run: SalesPro's must notice every hard delete, and after
   * any source's, no row may lag behind a change of the source's shape
   */
  finalFull: boolean
  /** SalesPro: every stream's contract says `"raw": "slim"` (README "Slim `_raw`"), so the byte lane's rows store it slim */
  slimRaw?: boolean
}

export interface ScenarioPlan {
  index: number
  seed: number
  sources: SourcePlan[]
}

/** The seed of scenario `index` of a run: scenario 0 uses the run's seed, so a failure replays alone. */
export const scenarioSeed = (runSeed: number, index: number) =>
  index === 0 ? runSeed >>> 0 : deriveSeed(runSeed, `scenario-${index}`)

export function planScenario(seed: number, index: number, allowed: readonly SourceName[]): ScenarioPlan {
  const r = createRandom(deriveSeed(seed, 'plan'))
  // one source most of the time (fast), sometimes two or all three side by side
  const count = Math.min(allowed.length, r.chance(0.6) ? 1 : r.chance(0.7) ? 2 : 3)
  const chosen = pick(r, allowed, count)
  const sources = chosen.map((source) => {
    // drawn apart from the plan, so a random timeline is the one the same seed gave before shapes existed
    const shape = pickShape(createRandom(deriveSeed(seed, `${source}-shape`)), source)
    const planned = planSource(createRandom(deriveSeed(seed, source)), source, shape)
    // drawn apart too: schema events leave the rest of the timeline as the seed gave it before them
    planSchemaEvents(createRandom(deriveSeed(seed, `${source}-schema`)), planned)
    // drawn apart as well: half of SalesPro's scenarios store `_raw` slim
    if (source === 'salespro') planned.slimRaw = createRandom(deriveSeed(seed, 'salespro-raw')).chance(0.5)
    return planned
  })
  return { index, seed, sources }
}

// SalesPro's hard deletes are what a resumed pass can miss: most of its timelines interrupt one
function pickShape(r: Random, source: SourceName): Shape {
  const resumed = source === 'salespro' ? 0.45 : 0.2
  return r.chance(resumed) ? 'resumed' : r.chance(0.2) ? 'demo' : 'random'
}

function planSource(r: Random, source: SourceName, shape: Shape): SourcePlan {
  const lookback = CATALOG[source].lookbackSeconds
  const streams = pickStreams(r, source)
  const rows = source === 'salespro' ? r.int(15, 60) : source === 'hubspot' ? r.int(15, 90) : r.int(40, 250)
  const drawn = r.pick([3, 5, 7, 7, 11, 20])
  // a resumed pass needs a few pages to be cut between
  const batchSize = shape === 'resumed' ? Math.min(drawn, 7) : drawn
  const skewSeconds = r.chance(0.5) ? 0 : r.int(1, Math.floor(lookback * 0.4))
  const ctx = { source, streams, batchSize, lookback }
  if (shape !== 'random') {
    const shaped: ShapeContext = { ...ctx, rows }
    const planShape = shape === 'demo' ? planDemoShape : planResumedShape
    const { steps, finalMutations } = planShape(r, shaped)
    return finishPlan(r, { source, shape, streams, rows, batchSize, skewSeconds }, steps, finalMutations)
  }
  const steps: StepPlan[] = []
  const runs = r.int(1, 3)
  for (let i = 0; i < runs; i++) {
    // the first run is a full pass over old data: a kill there exposes a cursor saved ahead of its rows
    const kill = r.chance(i === 0 ? 0.6 : 0.35) ? planKill(r, rows, batchSize) : undefined
    steps.push({
      full: i > 0 && r.chance(0.15),
      via: kill || r.chance(0.15) ? 'cli' : 'lib',
      kill,
      faults: r.chance(0.65) ? planFaults(r, source) : {},
      before: [],
      mutations: planMutations(r, ctx, r.int(0, 5), 1200),
    })
  }
  const finalMutations = planMutations(r, ctx, r.int(0, 3), 0)
  return finishPlan(r, { source, shape, streams, rows, batchSize, skewSeconds }, steps, finalMutations)
}

type PlanHead = Pick<SourcePlan, 'source' | 'shape' | 'streams' | 'rows' | 'batchSize' | 'skewSeconds'>

function finishPlan(r: Random, head: PlanHead, steps: StepPlan[], finalMutations: MutationPlan[]) {
  const all = [...steps.flatMap((s) => [...s.before, ...s.mutations]), ...finalMutations]
  applyDeleteBudget(all, head.source, head.streams, head.rows)
  const deletes = all.some((m) => m.kind === 'delete')
  return {
    ...head,
    emulatorSeed: r.int(1, 1_000_000),
    malformedAtStart: head.source === 'salespro' && r.chance(0.25) ? r.int(1, 3) : 0,
    steps,
    finalMutations,
    finalFull: head.source === 'salespro' && deletes && r.chance(0.3),
  }
}

function pickStreams(r: Random, source: SourceName): string[] {
  const all = streamsOf(source)
  if (source === 'salesrabbit') return r.chance(0.5) ? ['leads', 'users'] : ['leads']
  return pick(r, all, r.int(1, 3)).sort((a, b) => all.indexOf(a) - all.indexOf(b))
}

function planKill(r: Random, rows: number, batchSize: number): KillPlan {
  const signal = r.chance(0.85) ? 'SIGKILL' : 'SIGTERM'
  const jitterMs = r.chance(0.5) ? 0 : r.int(1, 12)
  if (r.chance(0.25)) return { signal, afterMs: r.int(300, 2500), jitterMs }
  const pages = Math.max(2, Math.ceil(rows / batchSize))
  return { signal, afterPages: r.int(1, Math.min(pages, 25)), jitterMs }
}

function pick<T>(r: Random, items: readonly T[], k: number): T[] {
  const copy = [...items]
  const out: T[] = []
  while (out.length < k && copy.length) out.push(copy.splice(r.int(0, copy.length - 1), 1)[0])
  return out
}
