import { createRandom, deriveSeed, type Random } from '../../emulators/shared/random.ts'
import { CATALOG, streamsOf, type SourceName } from './catalog.ts'
import { applyDeleteBudget } from './delete-budget.ts'
import { planFaults, planMutations, type FaultPlan, type MutationPlan } from './plan-chaos.ts'

/**
 * One scenario is a plan derived from its seed alone, so `--scenarios 1 --seed S` replays it:
 * which sources and streams, how much data, the page size, the source's clock skew, and a few
 * runs under faults (some killed), each with source changes landing while it runs. After them
 * come the faults-off changes, ONE incremental run per source, and the comparison.
 * The seed fixes the plan, not the interleaving: when a kill or a change lands relative to the
 * pages depends on timing, so a rare failure may need a few replays.
 */
export interface KillPlan {
  signal: 'SIGKILL' | 'SIGTERM'
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
  faults: FaultPlan
  /** applied while the run goes, each after its delay */
  mutations: MutationPlan[]
}

export interface SourcePlan {
  source: SourceName
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
  /** SalesPro: a `--full` run after the convergence run, which must also notice the hard deletes */
  finalFull: boolean
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
  const sources = chosen.map((source) => planSource(createRandom(deriveSeed(seed, source)), source))
  return { index, seed, sources }
}

function planSource(r: Random, source: SourceName): SourcePlan {
  const lookback = CATALOG[source].lookbackSeconds
  const streams = pickStreams(r, source)
  const rows = source === 'salespro' ? r.int(15, 60) : source === 'hubspot' ? r.int(15, 90) : r.int(40, 250)
  const batchSize = r.pick([3, 5, 7, 7, 11, 20])
  const skewSeconds = r.chance(0.5) ? 0 : r.int(1, Math.floor(lookback * 0.4))
  const ctx = { source, streams, batchSize, lookback }
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
      mutations: planMutations(r, ctx, r.int(0, 5), 1200),
    })
  }
  const finalMutations = planMutations(r, ctx, r.int(0, 3), 0)
  const all = [...steps.flatMap((s) => s.mutations), ...finalMutations]
  applyDeleteBudget(all, source, streams, rows)
  const deletes = all.some((m) => m.kind === 'delete')
  return {
    source,
    streams,
    rows,
    emulatorSeed: r.int(1, 1_000_000),
    batchSize,
    skewSeconds,
    malformedAtStart: source === 'salespro' && r.chance(0.25) ? r.int(1, 3) : 0,
    steps,
    finalMutations,
    finalFull: source === 'salespro' && deletes && r.chance(0.3),
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
