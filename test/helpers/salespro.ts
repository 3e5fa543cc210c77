import { startSalesProEmulator, type SalesProEmulatorOptions } from '../../emulators/salespro/index.ts'
import { adminClient, type AdminCall } from './admin.ts'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { salespro } from '../../src/connectors/salespro/index.ts'
import type { Stream } from '../../src/connectors/types.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runSync, type SyncOptions } from '../../src/engine/run-sync.ts'
import type { RunSummary } from '../../src/engine/summary.ts'
import { silentLogger } from '../../src/log.ts'
import type { Warehouse } from '../../src/warehouse/types.ts'
import type { SourceFileSettings } from '../../src/config.ts'

export interface SalesProFixture {
  emulator: RunningEmulator
  admin: AdminCall
  sync(warehouse: Warehouse, streams?: string[], options?: Partial<SyncOptions> & { batchSize?: number; lookbackSeconds?: number; contracts?: SourceFileSettings['streams'] }): Promise<RunSummary[]>
}

export async function startSalesPro(options: SalesProEmulatorOptions = {}): Promise<SalesProFixture> {
  const emulator = await startSalesProEmulator({ rows: 300, seed: 11, ...options })
  const admin = adminClient(emulator.url)
  return {
    emulator,
    admin,
    async sync(warehouse, streams, options = {}) {
      const config = salespro.loadConfig({ ...emulator.env }, { maxPollMs: 100 })
      const { runs } = await runSync(
        [{ connector: salespro, config, streams, settings: { lookbackSeconds: options.lookbackSeconds ?? 60, horizonSeconds: 0, batchSize: options.batchSize ?? 100, streams: options.contracts } }],
        { warehouse, log: silentLogger(), events: createEngineEvents(), ...options },
      )
      return runs
    },
  }
}

/** A stream whose rebuild (today's processor, for a reprocess) reads customers' last names in capitals. */
export function upperLastNames(original: Stream): Stream {
  return {
    ...original,
    rebuild(raw, rebuildCtx) {
      const result = original.rebuild!(raw, rebuildCtx)
      if ('reject' in result) return result
      return { ...result, records: result.records.map((r) => ({ ...r, values: { ...r.values, customer_last_name: (r.values.customer_last_name as string | null)?.toUpperCase() ?? null } })) }
    },
  }
}
