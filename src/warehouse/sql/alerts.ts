import { redactSecrets } from '../../redact.ts'
import type { RunCounts } from '../../run-counts.ts'
import type { Queryable } from '../types.ts'

/**
 * crmsync.alerts and crmsync.alert_deliveries, plus the run-history questions the alert rules ask.
 * The rule queries start from crmsync.stream_state (one row per stream that ever ran) and reach
 * into sync_runs through its (source, stream, started_at) index, so they stay cheap as history grows.
 */
export interface DbAlert {
  id: number
  rule: string
  dedupe_key: string
  source: string | null
  stream: string | null
  severity: string
  status: 'open' | 'acknowledged' | 'resolved'
  title: string
  message: string
  value: number | null
  threshold: number | null
  details: Record<string, unknown>
  opened_at: Date
  last_seen_at: Date
  last_notified_at: Date | null
  acknowledged_at: Date | null
  acknowledged_by: string | null
  /** notifications are held until then (0011) */
  silenced_until?: Date | null
  resolved_at: Date | null
}

export interface NewAlert {
  rule: string
  dedupeKey: string
  source: string | null
  stream: string | null
  severity: string
  title: string
  message: string
  value: number | null
  threshold: number | null
  details: Record<string, unknown>
}

// an alert quotes run errors and source answers: redacted here, where it is persisted, for every channel and page
const alertParams = (a: NewAlert) => [
  a.rule,
  a.dedupeKey,
  a.source,
  a.stream,
  a.severity,
  redactSecrets(a.title),
  redactSecrets(a.message),
  a.value,
  a.threshold,
  redactSecrets(JSON.stringify(a.details)),
]

/**
 * Opens an alert, or refreshes the unresolved one with the same dedupe key: the partial unique
 * index makes "already open" a conflict, so two processes evaluating at once still keep one row.
 * `opened` is true when this call created the row (xmax is 0 only on a fresh insert).
 */
export async function upsertAlert(db: Queryable, alert: NewAlert): Promise<{ alert: DbAlert; opened: boolean }> {
  const { rows } = await db.query<DbAlert & { opened: boolean }>(
    `INSERT INTO crmsync.alerts (rule, dedupe_key, source, stream, severity, title, message, value, threshold, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (dedupe_key) WHERE status <> 'resolved' DO UPDATE SET last_seen_at = now(),
       severity = EXCLUDED.severity, title = EXCLUDED.title, message = EXCLUDED.message, value = EXCLUDED.value,
       threshold = EXCLUDED.threshold, details = EXCLUDED.details
     RETURNING *, (xmax = 0) AS opened`,
    alertParams(alert),
  )
  const { opened, ...row } = rows[0]
  return { alert: row, opened }
}

/**
 * Claims the right to notify about an open alert: at most once per cooldown, and never for an
 * acknowledged one or one silenced until later. The claim is the UPDATE itself, so of several processes only one notifies.
 */
export async function claimNotification(db: Queryable, id: number, cooldownSeconds: number): Promise<DbAlert | undefined> {
  const { rows } = await db.query<DbAlert>(
    `UPDATE crmsync.alerts SET last_notified_at = now()
     WHERE id = $1 AND status = 'open' AND (silenced_until IS NULL OR silenced_until <= now())
       AND (last_notified_at IS NULL OR last_notified_at <= now() - make_interval(secs => $2))
     RETURNING *`,
    [id, cooldownSeconds],
  )
  return rows[0]
}

/**
 * Resolves the unresolved alert with this key; returns it when this call resolved it. With
 * `owner`, only an alert that owner opened, or one nobody has seen for `orUnseenSeconds`, resolves
 * (per-process measurements such as the pool must not resolve each other's alerts).
 */
export async function resolveAlert(
  db: Queryable,
  dedupeKey: string,
  only?: { owner: string; orUnseenSeconds: number },
): Promise<DbAlert | undefined> {
  const { rows } = await db.query<DbAlert>(
    `UPDATE crmsync.alerts SET status = 'resolved', resolved_at = now()
     WHERE dedupe_key = $1 AND status <> 'resolved'
       AND ($2::text IS NULL OR details->>'owner' = $2 OR last_seen_at < now() - make_interval(secs => $3))
     RETURNING *`,
    [dedupeKey, only?.owner ?? null, only?.orUnseenSeconds ?? 0],
  )
  return rows[0]
}

/** Acknowledges an unresolved alert: no more reminders, but it still resolves. Repeating it changes nothing. */
export async function acknowledgeAlert(db: Queryable, id: number, by: string): Promise<DbAlert | undefined> {
  const { rows } = await db.query<DbAlert>(
    `UPDATE crmsync.alerts SET status = 'acknowledged', acknowledged_at = coalesce(acknowledged_at, now()),
       acknowledged_by = coalesce(acknowledged_by, $2)
     WHERE id = $1 AND status <> 'resolved' RETURNING *`,
    [id, by],
  )
  return rows[0]
}

/** Silences an unresolved alert until `until`: no notification before then; it still resolves. */
export async function silenceAlert(db: Queryable, id: number, until: Date): Promise<DbAlert | undefined> {
  const { rows } = await db.query<DbAlert>(`UPDATE crmsync.alerts SET silenced_until = $2 WHERE id = $1 AND status <> 'resolved' RETURNING *`, [id, until])
  return rows[0]
}

/** A test alert, stored already resolved: `alerts test` proves the table works without leaving an open alert. */
export async function insertResolvedAlert(db: Queryable, alert: NewAlert): Promise<DbAlert> {
  const { rows } = await db.query<DbAlert>(
    `INSERT INTO crmsync.alerts (rule, dedupe_key, source, stream, severity, title, message, value, threshold, details,
       status, resolved_at, last_notified_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'resolved', now(), now()) RETURNING *`,
    alertParams(alert),
  )
  return rows[0]
}

export interface AlertFilter {
  /** which statuses; unresolved (open and acknowledged) by default */
  statuses?: readonly string[]
  source?: string
  stream?: string
  rule?: string
  limit?: number
}

export async function listAlerts(db: Queryable, filter: AlertFilter = {}): Promise<DbAlert[]> {
  const { rows } = await db.query<DbAlert>(
    `SELECT * FROM crmsync.alerts
     WHERE status = ANY($1::text[]) AND ($2::text IS NULL OR source = $2) AND ($3::text IS NULL OR stream = $3)
       AND ($4::text IS NULL OR rule = $4)
     ORDER BY (status = 'resolved'), opened_at DESC, id DESC LIMIT $5`,
    [filter.statuses ?? ['open', 'acknowledged'], filter.source ?? null, filter.stream ?? null, filter.rule ?? null, filter.limit ?? 100],
  )
  return rows
}

/** The dedupe keys of every unresolved alert: what an evaluation may have to resolve. */
export async function listUnresolvedKeys(db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ dedupe_key: string }>(`SELECT dedupe_key FROM crmsync.alerts WHERE status <> 'resolved'`)
  return new Set(rows.map((r) => r.dedupe_key))
}

export interface NewDelivery {
  alertId: number | null
  channel: string
  event: string
  status: 'delivered' | 'failed'
  attempts: number
  error: string | null
}

export async function insertDelivery(db: Queryable, d: NewDelivery): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.alert_deliveries (alert_id, channel, event, status, attempts, error) VALUES ($1, $2, $3, $4, $5, $6)`,
    [d.alertId, d.channel, d.event, d.status, d.attempts, d.error === null ? null : redactSecrets(d.error)],
  )
}

export interface DbAlertDelivery {
  id: number
  alert_id: number | null
  channel: string
  event: string
  status: 'delivered' | 'failed'
  attempts: number
  error: string | null
  at: Date
}

export async function listDeliveries(db: Queryable, alertId: number): Promise<DbAlertDelivery[]> {
  const { rows } = await db.query<DbAlertDelivery>(`SELECT * FROM crmsync.alert_deliveries WHERE alert_id = $1 ORDER BY id`, [alertId])
  return rows
}

// ---- what the rules ask of the run history ----

/** One stream, or every stream with state when both are null. */
export interface StreamScope {
  source?: string
  stream?: string
}

const scopeParams = (scope: StreamScope) => [scope.source ?? null, scope.stream ?? null]
const SCOPE = `($1::text IS NULL OR st.source = $1) AND ($2::text IS NULL OR st.stream = $2)`

export interface DbRunOutcomes {
  source: string
  stream: string
  finished: number
  succeeded: number
  partial: number
  failed: number
  last_failed_run_id: number | null
  last_error: string | null
}

/** Finished runs (succeeded, partial, failed; never cancelled or running) started inside the window, per stream. */
export async function runOutcomes(db: Queryable, windowSeconds: number, scope: StreamScope = {}): Promise<DbRunOutcomes[]> {
  const { rows } = await db.query<DbRunOutcomes>(
    `SELECT st.source, st.stream, w.* FROM crmsync.stream_state st CROSS JOIN LATERAL (
       SELECT count(*)::int AS finished, count(*) FILTER (WHERE r.status = 'succeeded')::int AS succeeded,
         count(*) FILTER (WHERE r.status = 'partial')::int AS partial, count(*) FILTER (WHERE r.status = 'failed')::int AS failed,
         max(r.id) FILTER (WHERE r.status = 'failed') AS last_failed_run_id,
         (array_agg(r.error ORDER BY r.id DESC) FILTER (WHERE r.status = 'failed'))[1] AS last_error
       FROM crmsync.sync_runs r
       WHERE r.source = st.source AND r.stream = st.stream AND r.started_at >= now() - make_interval(secs => $3)
         AND r.status IN ('succeeded', 'partial', 'failed') AND NOT r.dry_run) w
     WHERE ${SCOPE} ORDER BY st.source, st.stream`,
    [...scopeParams(scope), windowSeconds],
  )
  return rows
}

export interface DbRecordCounts extends Pick<RunCounts, 'fetched' | 'rejected' | 'coerced'> {
  source: string
  stream: string
  runs: number
}

/** Records fetched, rejected and coerced by the runs started inside the window, per stream. */
export async function recordCounts(db: Queryable, windowSeconds: number, scope: StreamScope = {}): Promise<DbRecordCounts[]> {
  const { rows } = await db.query<DbRecordCounts>(
    `SELECT st.source, st.stream, w.* FROM crmsync.stream_state st CROSS JOIN LATERAL (
       SELECT coalesce(sum(r.fetched), 0)::float8 AS fetched, coalesce(sum(r.rejected), 0)::float8 AS rejected,
         coalesce(sum(r.coerced), 0)::float8 AS coerced, count(*)::int AS runs
       FROM crmsync.sync_runs r
       WHERE r.source = st.source AND r.stream = st.stream AND r.started_at >= now() - make_interval(secs => $3)
         AND r.status <> 'running' AND NOT r.dry_run) w
     WHERE ${SCOPE} ORDER BY st.source, st.stream`,
    [...scopeParams(scope), windowSeconds],
  )
  return rows
}

export interface DbFailureStreak {
  source: string
  stream: string
  /** failed runs since the last succeeded or partial one (cancelled runs are skipped), at most 100 */
  streak: number
  last_error: string | null
  /** the error code of the newest finished run (`abandoned` when its process died) */
  last_error_code: string | null
}

export async function failureStreaks(db: Queryable, scope: StreamScope = {}): Promise<DbFailureStreak[]> {
  const { rows } = await db.query<DbFailureStreak>(
    `SELECT st.source, st.stream, f.streak, f.last_error, f.last_error_code FROM crmsync.stream_state st CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE all_failed)::int AS streak, (array_agg(error ORDER BY n))[1] AS last_error,
         (array_agg(error_code ORDER BY n))[1] AS last_error_code
       FROM (SELECT error, error_code, row_number() OVER w AS n, bool_and(status = 'failed') OVER w AS all_failed
             FROM (SELECT id, started_at, status, error, error_code FROM crmsync.sync_runs r
                   WHERE r.source = st.source AND r.stream = st.stream AND r.status IN ('succeeded', 'partial', 'failed') AND NOT r.dry_run
                   ORDER BY r.started_at DESC, r.id DESC LIMIT 100) recent
             WINDOW w AS (ORDER BY started_at DESC, id DESC)) x) f
     WHERE ${SCOPE} ORDER BY st.source, st.stream`,
    scopeParams(scope),
  )
  return rows
}

export interface DbFreshness {
  source: string
  stream: string
  /** the end of the last run that landed data (succeeded or partial, not a backfill) */
  last_success_at: Date | null
  first_started_at: Date | null
  /** minutes since last_success_at, or since the first run when nothing ever landed */
  minutes_since: number | null
}

export async function streamFreshness(db: Queryable, scope: StreamScope = {}): Promise<DbFreshness[]> {
  const { rows } = await db.query<DbFreshness>(
    `SELECT st.source, st.stream, ok.finished_at AS last_success_at, first.started_at AS first_started_at,
       (extract(epoch FROM now() - coalesce(ok.finished_at, first.started_at)) / 60)::float8 AS minutes_since
     FROM crmsync.stream_state st
     LEFT JOIN LATERAL (SELECT finished_at FROM crmsync.sync_runs r WHERE r.source = st.source AND r.stream = st.stream
       AND r.status IN ('succeeded', 'partial') AND r.mode NOT IN ('backfill', 'reprocess') AND NOT r.dry_run ORDER BY r.started_at DESC LIMIT 1) ok ON true
     LEFT JOIN LATERAL (SELECT started_at FROM crmsync.sync_runs r WHERE r.source = st.source AND r.stream = st.stream
       ORDER BY r.started_at LIMIT 1) first ON true
     WHERE ${SCOPE} ORDER BY st.source, st.stream`,
    scopeParams(scope),
  )
  return rows
}

export interface DbSlowestPage {
  source: string
  stream: string
  run_id: number
  pages: number
  page_no: number
  fetch_ms: number
  write_ms: number
}

/** The slowest page (fetch + write) of each stream's last finished run that committed a page. */
export async function slowestPages(db: Queryable, scope: StreamScope = {}): Promise<DbSlowestPage[]> {
  const { rows } = await db.query<DbSlowestPage>(
    `SELECT st.source, st.stream, last.id AS run_id, last.pages, p.page_no, p.fetch_ms, p.write_ms
     FROM crmsync.stream_state st
     CROSS JOIN LATERAL (SELECT id, pages FROM crmsync.sync_runs r WHERE r.source = st.source AND r.stream = st.stream
       AND r.status <> 'running' AND r.pages > 0 AND NOT r.dry_run ORDER BY r.started_at DESC, r.id DESC LIMIT 1) last
     CROSS JOIN LATERAL (SELECT page_no, fetch_ms, write_ms FROM crmsync.run_pages WHERE run_id = last.id
       ORDER BY fetch_ms + write_ms DESC, page_no LIMIT 1) p
     WHERE ${SCOPE} ORDER BY st.source, st.stream`,
    scopeParams(scope),
  )
  return rows
}

export interface DbLastSchemaChange {
  source: string
  stream: string
  /** hours since the stream's table last changed shape; null when it never did */
  hours_since: number | null
}

/** How long ago each stream's table last changed shape (crmsync.schema_changes, through its (source, stream, id) index). */
export async function lastSchemaChanges(db: Queryable, scope: StreamScope = {}): Promise<DbLastSchemaChange[]> {
  const { rows } = await db.query<DbLastSchemaChange>(
    `SELECT st.source, st.stream, (extract(epoch FROM now() - c.created_at) / 3600)::float8 AS hours_since
     FROM crmsync.stream_state st
     LEFT JOIN LATERAL (SELECT created_at FROM crmsync.schema_changes sc WHERE sc.source = st.source AND sc.stream = st.stream
       ORDER BY sc.id DESC LIMIT 1) c ON true
     WHERE ${SCOPE} ORDER BY st.source, st.stream`,
    scopeParams(scope),
  )
  return rows
}
