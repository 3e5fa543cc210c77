import type { Hono } from 'hono'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { salespro } from '../../src/connectors/salespro/index.ts'
import { createEngineEvents, type EngineEvents } from '../../src/engine/events.ts'
import type { SyncTarget } from '../../src/engine/run-sync.ts'
import { SyncError } from '../../src/errors.ts'
import { silentLogger } from '../../src/log.ts'
import { createApp, type AppDeps } from '../../src/server/app.ts'
import { createWarehouseAlerts } from '../../src/server/default-ports.ts'
import { createInProcessLauncher } from '../../src/server/in-process-launcher.ts'
import { createRejectsPort, createSourceCheck } from '../../src/server/source-actions.ts'
import { createMetrics } from '../../src/ops/metrics/create-metrics.ts'
import type { SyncLauncher } from '../../src/server/ports.ts'
import type { Warehouse } from '../../src/warehouse/types.ts'
import { createFakeConnector, createFakeStream, type FakeSourceControls } from './fake-source.ts'

/** A token long enough for `checkBind`. */
export const TEST_TOKEN = 'test-dashboard-token-0123456789'

export interface TargetSources {
  /** the SalesPro emulator, as source `salespro` */
  salespro?: RunningEmulator
  /** SalesPro config file settings (e.g. readResultsFromS3: false to page slowly) */
  salesproSettings?: Record<string, unknown>
  /** the in-memory fake source, as source `fake` with one stream `items` */
  fake?: FakeSourceControls
  batchSize?: number
}

/** What `loadTarget` does in the CLI, for the emulator and the fake source. */
export function testTargets(sources: TargetSources) {
  const names = [...(sources.salespro ? ['salespro'] : []), ...(sources.fake ? ['fake'] : [])]
  const loadTarget = async (source: string, streams?: string[]): Promise<SyncTarget> => {
    const settings = { lookbackSeconds: 60, horizonSeconds: 0, batchSize: sources.batchSize ?? 100 }
    if (source === 'salespro' && sources.salespro)
      return { connector: salespro, config: salespro.loadConfig({ ...sources.salespro.env }, { maxPollMs: 100, ...sources.salesproSettings }), streams, settings }
    if (source === 'fake' && sources.fake) {
      const connector = createFakeConnector(sources.fake, [createFakeStream(sources.fake, { name: 'items' })])
      return { connector: connector as never, config: {}, streams, settings }
    }
    throw new SyncError('config_invalid', `unknown source ${JSON.stringify(source)}`)
  }
  return { names, loadTarget }
}

export interface TestApp {
  app: Hono
  deps: AppDeps
  events: EngineEvents
  launcher: SyncLauncher
}

/** The dashboard app over a test warehouse, with the real in-process launcher and default ports. */
export function createTestApp(warehouse: Warehouse, sources: TargetSources, overrides: Partial<AppDeps> = {}): TestApp {
  const events = createEngineEvents()
  const log = silentLogger()
  const { names, loadTarget } = testTargets(sources)
  const launcher = createInProcessLauncher({ warehouse, events, log, sources: names, loadTarget, heartbeatMs: 200 })
  const deps: AppDeps = {
    warehouse,
    events,
    log,
    token: TEST_TOKEN,
    launcher,
    rejects: createRejectsPort({ warehouse, events, log, loadTarget }),
    checkSource: createSourceCheck({ log, loadTarget }),
    alerts: createWarehouseAlerts(warehouse),
    metrics: (() => {
      const m = createMetrics({ events, warehouse, processLabel: 'test', processMetrics: false })
      return { render: async () => ({ contentType: m.contentType, body: await m.render() }) }
    })(),
    sources: names,
    livePollMs: 200,
    ...overrides,
  }
  return { app: createApp(deps), deps, events, launcher }
}

/** Headers of a same-origin POST from the dashboard's own page, with the token. */
export const authed = (extra: Record<string, string> = {}) => ({
  host: 'localhost',
  origin: 'http://localhost',
  'content-type': 'application/json',
  'x-crmsync-token': TEST_TOKEN,
  ...extra,
})

/** Waits until `check` returns something truthy, polling every 50 ms; the deadline is generous, as a loaded machine needs. */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, timeoutMs = 90_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
