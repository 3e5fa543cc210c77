import { startHubSpotEmulator, type HubSpotEmulatorOptions } from '../../emulators/hubspot/index.ts'
import { adminClient, type AdminCall } from './admin.ts'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { hubspot } from '../../src/connectors/hubspot/index.ts'
import { createEngineEvents, type EngineEvents } from '../../src/engine/events.ts'
import { runSync, type SyncOptions } from '../../src/engine/run-sync.ts'
import type { RunSummary } from '../../src/engine/summary.ts'
import { silentLogger } from '../../src/log.ts'
import type { Warehouse } from '../../src/warehouse/types.ts'

export type HubSpotSyncOptions = Partial<SyncOptions> & {
  lookbackSeconds?: number
  horizonSeconds?: number
  /** merged into the `sources.hubspot` file section */
  file?: Record<string, unknown>
  env?: Record<string, string | undefined>
}

export interface HubSpotFixture {
  emulator: RunningEmulator
  admin: AdminCall
  sync(warehouse: Warehouse, streams?: string[], options?: HubSpotSyncOptions): Promise<RunSummary[]>
}

/** Limits high enough that tests are not paced by them; the connector is told the same. */
export const FAST_LIMITS = { tenSecondly: 5_000, searchPerSecond: 200 }

export async function startHubSpot(options: HubSpotEmulatorOptions = {}): Promise<HubSpotFixture> {
  const emulator = await startHubSpotEmulator({ rows: 300, seed: 5, limits: FAST_LIMITS, ...options })
  const admin = adminClient(emulator.url)
  return {
    emulator,
    admin,
    async sync(warehouse, streams, options = {}) {
      const { lookbackSeconds = 600, horizonSeconds = 0, file = {}, env = {}, ...rest } = options
      const config = hubspot.loadConfig({ ...emulator.env, ...env }, { limits: FAST_LIMITS, ...file })
      const events: EngineEvents = rest.events ?? createEngineEvents()
      const { runs } = await runSync(
        [{ connector: hubspot, config, streams, settings: { lookbackSeconds, horizonSeconds, batchSize: 100 } }],
        { warehouse, log: silentLogger(), ...rest, events },
      )
      return runs
    },
  }
}
