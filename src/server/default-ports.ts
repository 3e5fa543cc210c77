import { acknowledgeAlert, listAlerts, silenceAlert } from '../warehouse/sql/alerts.ts'
import { listSchedules } from '../warehouse/sql/schedules.ts'
import { listWorkers } from '../warehouse/sql/workers.ts'
import type { Warehouse } from '../warehouse/types.ts'
import type { AlertStatus, AlertsPort, ScheduleInfo, WorkerInfo } from './ports.ts'

/**
 * Simple ports over the warehouse tables, for when the composition root has nothing better: the
 * alerts module, the worker and the scheduler may bring their own.
 */
export function createWarehouseAlerts(warehouse: Warehouse): AlertsPort {
  return {
    async list({ statuses, limit }) {
      const rows = await listAlerts(warehouse, { statuses, limit: limit ?? 100 })
      return rows.map((a) => ({
        id: a.id,
        rule: a.rule,
        source: a.source,
        stream: a.stream,
        severity: a.severity,
        status: a.status as AlertStatus,
        title: a.title,
        message: a.message,
        value: a.value,
        threshold: a.threshold,
        openedAt: a.opened_at,
        lastSeenAt: a.last_seen_at,
        acknowledgedAt: a.acknowledged_at,
        acknowledgedBy: a.acknowledged_by,
        resolvedAt: a.resolved_at,
        silencedUntil: a.silenced_until ?? null,
      }))
    },
    // acknowledging twice is harmless; a resolved or unknown alert cannot be acknowledged
    acknowledge: async (id, by) => (await acknowledgeAlert(warehouse, id, by)) !== undefined,
    silence: async (id, until) => (await silenceAlert(warehouse, id, until)) !== undefined,
  }
}

/** Workers that refreshed their row in crmsync.workers within the last 30 s. */
export const warehouseWorkers = (warehouse: Warehouse) => async (): Promise<WorkerInfo[]> =>
  (await listWorkers(warehouse, 30)).map((w) => ({
    id: w.id,
    host: w.host,
    pid: w.pid,
    concurrency: w.concurrency,
    startedAt: w.started_at,
    lastSeenAt: w.heartbeat_at,
    running: Array.isArray(w.jobs) ? w.jobs.length : 0,
    stopping: w.stopping,
  }))

const every = (seconds: number) => (seconds % 86_400 === 0 ? `every ${seconds / 86_400} d` : seconds % 3600 === 0 ? `every ${seconds / 3600} h` : seconds % 60 === 0 ? `every ${seconds / 60} min` : `every ${seconds} s`)

/** The rows of crmsync.schedules. */
export const warehouseSchedules = (warehouse: Warehouse) => async (): Promise<ScheduleInfo[]> =>
  (await listSchedules(warehouse)).map((s) => ({
    id: s.id,
    source: s.source,
    stream: s.stream,
    mode: s.mode,
    every: s.every_seconds !== null ? every(s.every_seconds) : `cron ${s.cron}`,
    nextRunAt: s.paused ? null : s.next_run_at,
    paused: s.paused,
  }))
