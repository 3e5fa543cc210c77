import type { DbAlert } from '../../warehouse/sql/alerts.ts'

/**
 * Terminology.
 * - rule: one question asked of the run history or the process (is the success rate too low?).
 * - finding: a rule's answer for one stream (or the process) now: firing, or clear.
 * - alert: a row of crmsync.alerts; one unresolved alert per dedupe key (rule + source + stream).
 * - notification: an alert going out through the channels: opened (or a reminder after the
 *   cooldown), resolved, or a test.
 * - channel: where notifications go: the log, Slack, a signed webhook, e-mail. The table is not a
 *   channel: it is the alert itself, the source of truth for `alerts list` and the dashboard.
 */
export const ALERT_RULES = [
  'sync_success_rate',
  'sync_response_time',
  'sync_error_rate',
  'batch_processing_time',
  'stale_data',
  'consecutive_failures',
  'run_abandoned',
  'pool_exhaustion',
  'coerced_share',
  'schema_changed',
] as const
export type AlertRule = (typeof ALERT_RULES)[number]

export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

export const severityRank = (s: string) => SEVERITIES.indexOf(s as Severity)

/** A rule firing for one stream (or the process): what goes into the alert row. */
export interface FiringFinding {
  firing: true
  rule: AlertRule
  source: string | null
  stream: string | null
  severity: Severity
  title: string
  message: string
  value: number
  /** null for a rule that reports an event (a schema change) rather than measures against a limit */
  threshold: number | null
  details: Record<string, unknown>
}

/** A rule that does not fire now: an unresolved alert with its key resolves. */
export interface ClearFinding {
  firing: false
  rule: AlertRule
  source: string | null
  stream: string | null
  /** per-process measurements: only the process that opened the alert (or time) may resolve it */
  owner?: string
  /** resolve without a notification: an event's alert that aged out fixed nothing worth a message */
  quiet?: boolean
}

/** No finding at all for a rule means "cannot tell now" (no data): its alert is left as it is. */
export type Finding = FiringFinding | ClearFinding

/** The same problem keeps one alert: rule + source + stream. */
export const dedupeKey = (rule: string, source: string | null, stream: string | null) =>
  [rule, source, stream].filter((part) => part !== null && part !== undefined).join(':')

/** An alert as the CLI's --json, the webhook body and the dashboard show it: camelCase. */
export interface Alert {
  id: number
  rule: string
  dedupeKey: string
  source: string | null
  stream: string | null
  severity: Severity
  status: 'open' | 'acknowledged' | 'resolved'
  title: string
  message: string
  value: number | null
  threshold: number | null
  details: Record<string, unknown>
  openedAt: string
  lastSeenAt: string
  lastNotifiedAt: string | null
  acknowledgedAt: string | null
  acknowledgedBy: string | null
  resolvedAt: string | null
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)

export function toAlert(row: DbAlert): Alert {
  return {
    id: row.id,
    rule: row.rule,
    dedupeKey: row.dedupe_key,
    source: row.source,
    stream: row.stream,
    severity: row.severity as Severity,
    status: row.status,
    title: row.title,
    message: row.message,
    value: row.value,
    threshold: row.threshold,
    details: row.details,
    openedAt: iso(row.opened_at) as string,
    lastSeenAt: iso(row.last_seen_at) as string,
    lastNotifiedAt: iso(row.last_notified_at),
    acknowledgedAt: iso(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: iso(row.resolved_at),
  }
}

/** What the webhook body's `event` says. A reminder after the cooldown is an `opened` again. */
export type AlertEvent = 'opened' | 'resolved' | 'test'

export interface Notification {
  event: AlertEvent
  /** an `opened` that repeats an earlier one (the cooldown passed and the alert is still open) */
  reminder: boolean
  alert: Alert
}
