import type { SourceName } from './catalog.ts'
import { dropDatabase, prepareTemplate } from './database.ts'
import { executeScenario, type ScenarioResult } from './execute.ts'
import { scenarioLine } from './report.ts'
import { planScenario, scenarioSeed } from './scenario.ts'

export interface ChaosOptions {
  scenarios: number
  seed: number
  sources: readonly SourceName[]
  /** the PostgreSQL server: scenario databases are created there */
  databaseUrl: string
  /** scenarios run side by side */
  jobs: number
  /** keep the databases of failed scenarios */
  keep?: boolean
  onResult?: (result: ScenarioResult, line: string) => void
}

// a scenario normally takes seconds; this only stops a hung one from hanging the whole run
const SCENARIO_TIMEOUT_MS = 300_000

/** Runs the scenarios of one seed and returns their results in scenario order. */
export async function runChaos(options: ChaosOptions): Promise<ScenarioResult[]> {
  const template = await prepareTemplate(options.databaseUrl)
  const results: ScenarioResult[] = []
  let next = 0
  const worker = async () => {
    for (let index = next++; index < options.scenarios; index = next++) {
      const plan = planScenario(scenarioSeed(options.seed, index), index, options.sources)
      const execution = executeScenario(plan, { adminUrl: options.databaseUrl, template, keep: options.keep })
      const result = await withTimeout(execution, () => ({
        plan,
        passed: false,
        ms: SCENARIO_TIMEOUT_MS,
        diffs: [],
        problems: [`the scenario did not finish within ${SCENARIO_TIMEOUT_MS / 1000} s`],
        events: [],
      }))
      results[index] = result
      options.onResult?.(result, scenarioLine(result))
    }
  }
  try {
    const jobs = Math.max(1, Math.min(options.jobs, options.scenarios))
    await Promise.all(Array.from({ length: jobs }, worker))
  } finally {
    await dropDatabase(options.databaseUrl, template).catch(() => {})
  }
  return results
}

function withTimeout<T>(work: Promise<T>, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), SCENARIO_TIMEOUT_MS)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}
