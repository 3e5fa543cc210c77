import type { Browser } from 'playwright-core'
import { startSalesProEmulator, type SalesProEmulatorOptions } from '../../emulators/salespro/index.ts'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { silentLogger } from '../../src/log.ts'
import { startServer, type RunningServer } from '../../src/server/start-server.ts'
import { launchChromium } from './browser.ts'
import { TEST_TOKEN, testTargets, type TargetSources } from './server.ts'
import { createTestWarehouse, postgresUnavailable, type TestWarehouse } from './warehouses.ts'

/** What a dashboard browser test stands on: headless Chromium, a warehouse, the SalesPro emulator, and the dashboard's server over them. */
export interface BrowserDashboard {
  browser: Browser
  db: TestWarehouse
  emulator: RunningEmulator
  server: RunningServer
}

/**
 * Starts them all: the warehouse is PostgreSQL, or PGlite where there is none; the server syncs
 * the emulator as source `salespro` (plus what `targets` adds) and follows runs every 500 ms. Or
 * says why Chromium cannot run here, and starts nothing else. `stop` ends whatever started.
 */
export async function startBrowserDashboard(
  emulatorOptions: SalesProEmulatorOptions,
  targets: Omit<TargetSources, 'salespro'> = {},
): Promise<{ dashboard?: BrowserDashboard; problem?: string; stop(): Promise<void> }> {
  const { browser, problem } = await launchChromium()
  if (!browser) return { problem, stop: async () => {} }
  let db: TestWarehouse | undefined
  let emulator: RunningEmulator | undefined
  let server: RunningServer | undefined
  const stop = async () => {
    await browser.close()
    await server?.close()
    await emulator?.close()
    await db?.drop()
  }
  try {
    ;[db, emulator] = await Promise.all([createTestWarehouse(postgresUnavailable() ? 'pglite' : 'postgres'), startSalesProEmulator(emulatorOptions)])
    const { names, loadTarget } = testTargets({ salespro: emulator, ...targets })
    server = await startServer({ warehouse: db.warehouse, events: createEngineEvents(), log: silentLogger(), host: '127.0.0.1', port: 0, token: TEST_TOKEN, loadTarget, sources: names, livePollMs: 500 })
    return { dashboard: { browser, db, emulator, server }, stop }
  } catch (error) {
    // what did start is ended here: the test's afterAll has no `stop` to call
    await stop().catch(() => {})
    throw error
  }
}
