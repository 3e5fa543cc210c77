import type { EngineEvents } from '../engine/events.ts'
import type { Logger } from '../log.ts'
import type { Warehouse } from '../warehouse/types.ts'
import type { LiveHub } from './live-hub.ts'
import type { AlertsPort, MetricsPort, RejectsPort, ScheduleInfo, SyncLauncher, WorkerInfo } from './ports.ts'

/** Everything the dashboard app is given; built by `startServer`, or by a test. */
export interface AppDeps {
  warehouse: Warehouse
  events: EngineEvents
  log: Logger
  /** the dashboard token; without one the dashboard is read-only */
  token?: string
  /** `network` when bound to a non-loopback address: reads need the token too @default 'loopback' */
  exposure?: 'loopback' | 'network'
  launcher: SyncLauncher
  /** the connector's check of a source's credentials and reachability (what it reached); absent: 503 */
  checkSource?: (source: string) => Promise<string | void>
  /** retries a stream's rejects; absent: the action answers 503 */
  rejects?: RejectsPort
  alerts: AlertsPort
  metrics: MetricsPort
  /** live workers; absent: "no workers running" */
  workers?: () => Promise<WorkerInfo[]>
  /** schedules; absent: "no schedules" */
  schedules?: () => Promise<ScheduleInfo[]>
  /** the source names (= warehouse schemas) crmsync knows @default SOURCE_NAMES */
  sources?: readonly string[]
  /** minutes without a successful run after which a stream of this source is stale @default 1440 */
  staleAfterMinutes?: (source: string) => number
  /** the live feed; created by the app when absent (the server passes its own, to close it) */
  live?: LiveHub
  /** how often the live feed polls crmsync.sync_runs @default 2000 */
  livePollMs?: number
  /**
   * marks the running runs whose process is gone (no heartbeat for `staleSeconds`, no process
   * holding the stream): Stop on such a run ends it at once instead of waiting for a heartbeat
   */
  sweep?: (staleSeconds?: number) => Promise<{ runId: number; status: string }[]>
}
