import { afterAll, beforeAll } from 'vitest'
import { startHubSpotEmulator } from '../../emulators/hubspot/index.ts'
import { startSalesProEmulator } from '../../emulators/salespro/index.ts'
import { startSalesRabbitEmulator } from '../../emulators/salesrabbit/index.ts'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { cliEnv, type CliResult } from './cli.ts'
import { createEmptyDatabase, postgresUnavailable } from './warehouses.ts'

/** The three emulators and one warehouse, for tests of the real CLI against every source. */
export interface ThreeSources {
  readonly salespro: RunningEmulator
  readonly hubspot: RunningEmulator
  readonly salesrabbit: RunningEmulator
  /** the CLI's environment with the warehouse (PostgreSQL when there is one, else one embedded warehouse) and no source */
  envWith(extra: Record<string, string>): NodeJS.ProcessEnv
  /** the environment with every source's credentials */
  allThree(): NodeJS.ProcessEnv
}

/**
 * Starts the emulators (which check credentials as the real services do) and the warehouse before
 * the file's tests, and stops them after: the setup of every "wrong credentials" test file.
 */
export function useThreeSources(seed: number): ThreeSources {
  let emulators: [RunningEmulator, RunningEmulator, RunningEmulator] | undefined
  let database: { url: string; drop(): Promise<void> } | undefined
  let base: NodeJS.ProcessEnv = {}
  beforeAll(async () => {
    database = postgresUnavailable() ? undefined : await createEmptyDatabase()
    base = cliEnv({ DATABASE_URL: database?.url })
    emulators = await Promise.all([
      startSalesProEmulator({ rows: 20, seed, only: ['customer'] }),
      startHubSpotEmulator({ rows: 10, seed, limits: { tenSecondly: 5_000, searchPerSecond: 200 } }),
      startSalesRabbitEmulator({ rows: 20, seed }),
    ])
  })
  afterAll(async () => {
    await Promise.all([...(emulators ?? []).map((e) => e.close()), database?.drop()])
  })
  const started = () => {
    if (!emulators) throw new Error('the emulators start in beforeAll: use them inside a test')
    return emulators
  }
  const sources: ThreeSources = {
    get salespro() {
      return started()[0]
    },
    get hubspot() {
      return started()[1]
    },
    get salesrabbit() {
      return started()[2]
    },
    envWith: (extra) => ({ ...base, ...extra }),
    allThree: () => sources.envWith({ ...sources.salespro.env, ...sources.hubspot.env, ...sources.salesrabbit.env }),
  }
  return sources
}

/** A command's whole output, for failure messages and "never shows the secret" checks. */
export const output = (r: CliResult) => r.stdout + r.stderr
