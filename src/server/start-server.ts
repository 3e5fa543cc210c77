import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { SOURCE_NAMES } from '../connectors/registry.ts'
import type { EngineEvents } from '../engine/events.ts'
import type { SyncOptions, SyncTarget } from '../engine/run-sync.ts'
import type { RetryPolicy } from '../engine/run-stream.ts'
import { SyncError } from '../errors.ts'
import type { Logger } from '../log.ts'
import type { Warehouse } from '../warehouse/types.ts'
import { createApp } from './app.ts'
import type { AppDeps } from './deps.ts'
import { createWarehouseAlerts, warehouseSchedules, warehouseWorkers } from './default-ports.ts'
import { createInProcessLauncher } from './in-process-launcher.ts'
import { createRejectsPort, createSourceCheck } from './source-actions.ts'
import { createLiveHub } from './live-hub.ts'
import { createMetrics } from '../ops/metrics/create-metrics.ts'
import type { AlertsPort, MetricsPort, ScheduleInfo, SyncLauncher, WorkerInfo } from './ports.ts'
import { TOKEN_HINT } from './security.ts'

export interface ServerOptions {
  warehouse: Warehouse
  events: EngineEvents
  log: Logger
  /** @default '127.0.0.1' */
  host?: string
  /** 0 picks a free port @default 8000 */
  port?: number
  /** the dashboard token (CRMSYNC_DASHBOARD_TOKEN); required on a non-loopback host */
  token?: string
  /** a source's connector, config and settings, for the in-process launcher: `(s, streams) => loadTarget(ctx, s, streams)` */
  loadTarget(source: string, streams?: string[]): Promise<SyncTarget>
  retry?: RetryPolicy
  /** the automation engine's gate (circuit breakers) for the syncs the dashboard starts */
  gate?: SyncOptions['gate']
  /** page size of the syncs the dashboard starts (tests); the sources' own settings otherwise */
  batchSize?: number
  /** the source names @default SOURCE_NAMES */
  sources?: readonly string[]
  staleAfterMinutes?: (source: string) => number
  livePollMs?: number
  /** replace the defaults: the in-process launcher, alerts and workers/schedules read from the warehouse, placeholder metrics */
  launcher?: SyncLauncher
  /** wraps the default in-process launcher (the worker queue does, when workers run) */
  wrapLauncher?: (inProcess: SyncLauncher) => SyncLauncher
  alerts?: AlertsPort
  metrics?: MetricsPort
  workers?: () => Promise<WorkerInfo[]>
  schedules?: () => Promise<ScheduleInfo[]>
  /** the automation engine's dead-run sweep: run every `sweepEveryMs`, and on Stop */
  sweep?: AppDeps['sweep']
  /** @default 15000 */
  sweepEveryMs?: number
}

export interface RunningServer {
  /** the dashboard's address: `http://127.0.0.1:8000/monitoring/` */
  url: string
  host: string
  port: number
  /** stops accepting, stops the syncs it started (each commits its page in hand) and closes */
  close(): Promise<void>
}

export const MIN_TOKEN_LENGTH = 16

export const isLoopbackHost = (host: string) => host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)

/** Refuses a bind that would expose the dashboard without a token, or a token too short to be one. */
export function checkBind(host: string, token: string | undefined): void {
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH)
    throw new SyncError('config_invalid', `the dashboard token must be at least ${MIN_TOKEN_LENGTH} characters (try \`openssl rand -hex 24\`)`)
  if (!isLoopbackHost(host) && !token)
    throw new SyncError('config_invalid', `refusing to listen on ${host} without a token, since anyone who can reach it could read the warehouse and start syncs. Bind to 127.0.0.1, or ${TOKEN_HINT}`)
}

const urlHost = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host)

/** Builds the app with its default ports and serves it; resolves once it is listening. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  checkBind(host, options.token)
  const sources = options.sources ?? SOURCE_NAMES
  const inProcess =
    options.launcher ??
    createInProcessLauncher({
      warehouse: options.warehouse,
      events: options.events,
      log: options.log,
      sources,
      loadTarget: options.loadTarget,
      retry: options.retry,
      gate: options.gate,
      batchSize: options.batchSize,
    })
  const launcher = options.launcher ?? options.wrapLauncher?.(inProcess) ?? inProcess
  // the Prometheus registry of this process, unless the caller brings its own
  const ownMetrics = options.metrics ? undefined : createMetrics({ events: options.events, warehouse: options.warehouse, processLabel: 'serve', log: options.log, runHistory: 'warehouse' })
  const metrics = options.metrics ?? { render: async () => ({ contentType: ownMetrics!.contentType, body: await ownMetrics!.render() }) }
  const live = createLiveHub({ warehouse: options.warehouse, events: options.events, log: options.log, pollMs: options.livePollMs })
  const app = createApp({
    warehouse: options.warehouse,
    events: options.events,
    log: options.log,
    token: options.token,
    exposure: isLoopbackHost(host) ? 'loopback' : 'network',
    launcher,
    checkSource: createSourceCheck({ log: options.log, loadTarget: options.loadTarget }),
    rejects: createRejectsPort({ warehouse: options.warehouse, events: options.events, log: options.log, loadTarget: options.loadTarget }),
    alerts: options.alerts ?? createWarehouseAlerts(options.warehouse),
    metrics,
    workers: options.workers ?? warehouseWorkers(options.warehouse),
    schedules: options.schedules ?? warehouseSchedules(options.warehouse),
    sources,
    staleAfterMinutes: options.staleAfterMinutes,
    live,
    livePollMs: options.livePollMs,
    sweep: options.sweep,
  })
  // a run whose process was killed is found here too, not only by the next sync of its stream
  const sweeper = options.sweep
    ? setInterval(() => void options.sweep?.().catch((error) => options.log.warn({ err: error }, 'the dead-run sweep failed; the next one tries again')), options.sweepEveryMs ?? 15_000)
    : undefined
  sweeper?.unref()
  void options.sweep?.().catch(() => {})
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 8000 }, () => resolve(s as Server)) as Server
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new SyncError('config_invalid', `port ${options.port ?? 8000} on ${host} is in use: choose another with --port`)
          : new SyncError('config_invalid', `cannot listen on ${host}:${options.port ?? 8000}: ${error.message}`, { cause: error }),
      ),
    )
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://${urlHost(host)}:${port}/monitoring/`
  options.log.info({ url }, `dashboard listening on ${url}`)
  let closing: Promise<void> | undefined
  return {
    url,
    host,
    port,
    close() {
      closing ??= (async () => {
        clearInterval(sweeper)
        live.close()
        ownMetrics?.close()
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        // the default launcher is ours to stop; one passed in belongs to the caller
        if (!options.launcher) await launcher.close?.()
        // live streams and keep-alive sockets would hold close() open
        server.closeAllConnections()
        await closed
      })()
      return closing
    },
  }
}
