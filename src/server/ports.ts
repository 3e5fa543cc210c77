import type { LaunchMode } from '../engine/strategy.ts'

/**
 * The dashboard's plug-in points: small interfaces the server is given, so that who runs a sync
 * (this process now, a worker queue later), where alerts and metrics come from and whether there
 * are workers and schedules is decided by the composition root, not by the routes.
 */


/** A request to sync, as `POST /api/sync` takes it. */
export interface LaunchRequest {
  source: string
  /** streams of the source; every stream when absent or empty */
  streams?: string[]
  /** incremental (from the stored cursor; a full pass the first time) or full (re-read everything, merge) */
  mode: LaunchMode
}

export interface LaunchAccepted {
  accepted: true
  /** where the sync runs: in the server's own process, or handed to the worker queue */
  via: 'in-process' | 'queue'
  source: string
  /** the streams that will run, in order */
  streams: string[]
  mode: LaunchMode
  /** the runs' ids, when known at once (the in-process launcher learns them as each stream starts) */
  runs?: number[]
}

/** What a source offers, for the "Sync now" controls. */
export interface SourceCatalog {
  source: string
  /** false when its credentials or settings are missing: `problem` says what */
  configured: boolean
  problem?: string
  streams: string[]
}

/**
 * Starts and stops syncs. A refusal is a SyncError: `config_invalid` (unknown source or stream, a
 * source that is not configured: the API answers 400) or `busy` (a requested stream is running
 * already: 409).
 */
export interface SyncLauncher {
  /** validates the request and starts it; resolves once accepted, while the sync carries on */
  start(request: LaunchRequest): Promise<LaunchAccepted>
  /**
   * stops a run this launcher started: the page in hand is committed, then the run ends
   * `cancelled`. False when it did not start that run (another process runs it).
   */
  stop(runId: number): Promise<boolean>
  /** the sources and their streams, for the controls; optional */
  catalog?(): Promise<SourceCatalog[]>
  /** stops everything it started and waits for the runs to end (server shutdown) */
  close?(): Promise<void>
}

/** What a retry of a stream's rejects did. */
export interface RejectsRetried {
  runId: number | null
  status: string
  /** rejects that now pass and were stored (or were already there, newer) and left crmsync.rejects */
  stored: number
  /** rejects still refused, kept with today's reason */
  stillRejected: number
  error: string | null
}

/** The dashboard's retry of a stream's rejected records through today's processors (no source call). */
export interface RejectsPort {
  retry(source: string, stream: string): Promise<RejectsRetried>
}

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const
export type AlertStatus = (typeof ALERT_STATUSES)[number]

/** One alert as the dashboard shows it. */
export interface AlertView {
  id: number
  rule: string
  source: string | null
  stream: string | null
  severity: string
  status: AlertStatus
  title: string
  message: string
  value: number | null
  threshold: number | null
  openedAt: Date
  lastSeenAt: Date
  acknowledgedAt: Date | null
  acknowledgedBy: string | null
  resolvedAt: Date | null
  /** no notification until then */
  silencedUntil?: Date | null
}

export interface AlertsPort {
  /** alerts with these statuses, unresolved first, newest first */
  list(filter: { statuses: readonly AlertStatus[]; limit?: number }): Promise<AlertView[]>
  /** acknowledges an open alert; false when there is no open alert with that id */
  acknowledge(id: number, by: string): Promise<boolean>
  /** holds an unresolved alert's notifications until `until`; false when there is no unresolved alert with that id */
  silence?(id: number, until: Date): Promise<boolean>
}

export interface MetricsPort {
  /** the Prometheus text exposition and its content type */
  render(): Promise<{ contentType: string; body: string }>
}

/** A live worker process, as the workers table or queue reports it. */
export interface WorkerInfo {
  id: string
  host: string
  pid: number
  concurrency: number
  startedAt: Date
  lastSeenAt: Date
  /** jobs it is running now */
  running: number
  stopping: boolean
}

/** A schedule: what runs next, and when. */
export interface ScheduleInfo {
  id: number | string
  source: string
  /** null: every stream of the source */
  stream: string | null
  mode: string
  /** human text: `every 15 min` or the cron expression */
  every: string
  nextRunAt: Date | null
  paused: boolean
}
