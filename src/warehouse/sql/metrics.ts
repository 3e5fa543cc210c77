import type { Queryable } from '../types.ts'

// the few warehouse reads a Prometheus scrape makes; each is small (a row per source, per stream or
// per alert rule) because a scrape runs every 15 to 60 s for as long as the process lives

export interface DbBreakerState {
  source: string
  state: string
}

export async function listBreakerStates(db: Queryable): Promise<DbBreakerState[]> {
  const { rows } = await db.query<DbBreakerState>(`SELECT source, state FROM crmsync.circuit_breakers`)
  return rows
}

export interface DbAlertCount {
  rule: string
  severity: string
  status: string
  count: number
}

/** Unresolved alerts, counted by rule, severity and status (open or acknowledged). */
export async function countUnresolvedAlerts(db: Queryable): Promise<DbAlertCount[]> {
  const { rows } = await db.query<DbAlertCount>(
    `SELECT rule, severity, status, count(*)::int AS count FROM crmsync.alerts
     WHERE status IN ('open', 'acknowledged') GROUP BY rule, severity, status`,
  )
  return rows
}

export interface DbLastSuccess {
  source: string
  stream: string
  /** unix time in seconds */
  at: number
}

export async function listLastSuccesses(db: Queryable): Promise<DbLastSuccess[]> {
  const { rows } = await db.query<DbLastSuccess>(
    `SELECT source, stream, extract(epoch FROM last_success_at)::float8 AS at FROM crmsync.stream_state
     WHERE last_success_at IS NOT NULL`,
  )
  return rows
}
