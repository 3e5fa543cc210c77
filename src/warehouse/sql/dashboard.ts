import type { RunCounts } from '../../run-counts.ts'
import { qualified, quoteIdent } from '../identifiers.ts'
import type { Queryable } from '../types.ts'
import type { DbAutomationEvent } from './automation.ts'
import type { DbRunPage } from './run-pages.ts'
import type { RunFilter } from './runs.ts'

/**
 * The read queries of the monitoring dashboard, one statement per function. Buckets are computed
 * in UTC (`AT TIME ZONE 'UTC'`) and returned as text, so a server whose own time zone is not UTC
 * and PGlite draw the same charts.
 */

/** How many runs match a filter: the run history's paging. */
export async function countRuns(db: Queryable, filter: RunFilter = {}): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM crmsync.sync_runs
     WHERE ($1::text IS NULL OR source = $1) AND ($2::text IS NULL OR stream = $2) AND ($3::text IS NULL OR status = $3)
       AND ($4::timestamptz IS NULL OR started_at >= $4) AND ($5::timestamptz IS NULL OR started_at < $5)`,
    [filter.source ?? null, filter.stream ?? null, filter.status ?? null, filter.since ?? null, filter.until ?? null],
  )
  return rows[0].n
}

/** the counts the overview sums (`RUN_COUNTS` but unchanged and deleted) */
export interface DbRunStats extends Pick<RunCounts, 'fetched' | 'inserted' | 'updated' | 'rejected' | 'coerced'> {
  runs: number
  succeeded: number
  partial: number
  failed: number
  cancelled: number
  running: number
}

/** Outcomes and rows of the runs started since an instant. */
export async function runStatsSince(db: Queryable, since: Date): Promise<DbRunStats> {
  const { rows } = await db.query<DbRunStats>(
    `SELECT count(*)::int AS runs,
       count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded, count(*) FILTER (WHERE status = 'partial')::int AS partial,
       count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
       count(*) FILTER (WHERE status = 'running')::int AS running,
       coalesce(sum(fetched), 0)::float8 AS fetched, coalesce(sum(inserted), 0)::float8 AS inserted,
       coalesce(sum(updated), 0)::float8 AS updated, coalesce(sum(rejected), 0)::float8 AS rejected,
       coalesce(sum(coerced), 0)::float8 AS coerced
     FROM crmsync.sync_runs WHERE started_at >= $1 AND NOT dry_run`,
    [since],
  )
  return rows[0]
}

export interface DbRunningRun extends Pick<RunCounts, 'fetched' | 'inserted' | 'updated' | 'rejected' | 'coerced'> {
  id: number
  source: string
  stream: string
  mode: string
  trigger: string
  host: string | null
  pid: number | null
  started_at: Date
  heartbeat_at: Date
  /** measured by the warehouse's clock, so a browser's or another host's clock does not skew it */
  elapsed_ms: number
  pages: number
  stop_requested: boolean
}

/** The runs in progress now, in every process: what the live view polls. */
export async function listRunningRuns(db: Queryable): Promise<DbRunningRun[]> {
  const { rows } = await db.query<DbRunningRun>(
    `SELECT id, source, stream, mode, trigger, host, pid, started_at, heartbeat_at,
       (extract(epoch FROM now() - started_at) * 1000)::float8 AS elapsed_ms,
       fetched, inserted, updated, rejected, coerced, pages, stop_requested_at IS NOT NULL AS stop_requested
     FROM crmsync.sync_runs WHERE status = 'running' ORDER BY id`,
  )
  return rows
}

export interface DbHourBucket {
  /** the hour's start, `YYYY-MM-DDTHH:00Z` */
  hour: string
  runs: number
  fetched: number
  written: number
}

/** Rows read and written per hour over the last `hours` hours, empty hours included. */
export async function rowsPerHour(db: Queryable, hours: number): Promise<DbHourBucket[]> {
  const { rows } = await db.query<DbHourBucket>(
    `WITH hours AS (
       SELECT generate_series(date_trunc('hour', now() AT TIME ZONE 'UTC') - make_interval(hours => $1 - 1),
         date_trunc('hour', now() AT TIME ZONE 'UTC'), interval '1 hour') AS h
     )
     SELECT to_char(hours.h, 'YYYY-MM-DD"T"HH24":00Z"') AS hour, count(r.id)::int AS runs,
       coalesce(sum(r.fetched), 0)::float8 AS fetched, coalesce(sum(r.inserted + r.updated), 0)::float8 AS written
     FROM hours LEFT JOIN crmsync.sync_runs r
       ON r.started_at >= now() - make_interval(hours => $1 + 1) AND date_trunc('hour', r.started_at AT TIME ZONE 'UTC') = hours.h AND NOT r.dry_run
     GROUP BY hours.h ORDER BY hours.h`,
    [hours],
  )
  return rows
}

/** A chart's time buckets: `unit` is date_trunc's (minute, hour, day, week), always in UTC. */
export interface BucketWindow {
  since: Date
  /** null: up to now */
  until: Date | null
  unit: 'minute' | 'hour' | 'day' | 'week'
}

// the buckets of a window, as UTC timestamps without a zone: $1 since, $2 until, $3 unit
const BUCKETS = `SELECT generate_series(date_trunc($3::text, $1::timestamptz AT TIME ZONE 'UTC'),
       date_trunc($3::text, coalesce($2::timestamptz, now()) AT TIME ZONE 'UTC'), ('1 ' || $3::text)::interval) AS b`
const BUCKET_TEXT = `to_char(buckets.b, 'YYYY-MM-DD"T"HH24:MI"Z"')`

export interface DbBucketOutcomes {
  /** the bucket's start, `YYYY-MM-DDTHH:MIZ` (UTC) */
  bucket: string
  succeeded: number
  partial: number
  failed: number
  cancelled: number
}

/** Run outcomes per bucket of the window, empty buckets included. */
export async function outcomesPerBucket(db: Queryable, window: BucketWindow): Promise<DbBucketOutcomes[]> {
  const { rows } = await db.query<DbBucketOutcomes>(
    `WITH buckets AS (${BUCKETS})
     SELECT ${BUCKET_TEXT} AS bucket,
       count(r.id) FILTER (WHERE r.status = 'succeeded')::int AS succeeded, count(r.id) FILTER (WHERE r.status = 'partial')::int AS partial,
       count(r.id) FILTER (WHERE r.status = 'failed')::int AS failed, count(r.id) FILTER (WHERE r.status = 'cancelled')::int AS cancelled
     FROM buckets LEFT JOIN crmsync.sync_runs r
       ON r.started_at >= $1 AND ($2::timestamptz IS NULL OR r.started_at < $2) AND date_trunc($3::text, r.started_at AT TIME ZONE 'UTC') = buckets.b AND NOT r.dry_run
     GROUP BY buckets.b ORDER BY buckets.b`,
    [window.since, window.until, window.unit],
  )
  return rows
}

export interface DbSourceBucket {
  bucket: string
  source: string
  fetched: number
}

/** Records read per source and bucket of the window (buckets without runs are absent). */
export async function rowsPerSourceBucket(db: Queryable, window: BucketWindow): Promise<DbSourceBucket[]> {
  const { rows } = await db.query<DbSourceBucket>(
    `SELECT to_char(date_trunc($3::text, started_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI"Z"') AS bucket, source, sum(fetched)::float8 AS fetched
     FROM crmsync.sync_runs
     WHERE started_at >= $1 AND ($2::timestamptz IS NULL OR started_at < $2) AND NOT dry_run
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [window.since, window.until, window.unit],
  )
  return rows
}

export interface DbRunDuration {
  id: number
  source: string
  stream: string
  status: string
  started_at: Date
  duration_ms: number
}

/** The latest `limit` finished runs started in the window, oldest first: the run-duration chart. */
export async function runDurations(db: Queryable, window: { since: Date; until: Date | null }, limit: number): Promise<DbRunDuration[]> {
  const { rows } = await db.query<DbRunDuration>(
    `SELECT * FROM (
       SELECT id, source, stream, status, started_at, duration_ms FROM crmsync.sync_runs
       WHERE status <> 'running' AND duration_ms IS NOT NULL AND started_at >= $1 AND ($2::timestamptz IS NULL OR started_at < $2)
       ORDER BY id DESC LIMIT $3) recent
     ORDER BY id`,
    [window.since, window.until, limit],
  )
  return rows
}

export interface DbErrorKind {
  error_code: string
  runs: number
  /** every run of this kind ended partial (rejects, --max-records, refused deletes), none failed */
  only_partial: boolean
  last_run_id: number
  last_error: string | null
}

/** Failed and partial runs started in the window grouped by error code, commonest first. */
export async function errorKinds(db: Queryable, window: { since: Date; until: Date | null }): Promise<DbErrorKind[]> {
  const { rows } = await db.query<DbErrorKind>(
    `SELECT coalesce(error_code, 'unknown') AS error_code, count(*)::int AS runs, bool_and(status = 'partial') AS only_partial, max(id) AS last_run_id,
       (array_agg(error ORDER BY id DESC))[1] AS last_error
     FROM crmsync.sync_runs
     WHERE status IN ('failed', 'partial') AND started_at >= $1 AND ($2::timestamptz IS NULL OR started_at < $2)
     GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`,
    [window.since, window.until],
  )
  return rows
}

/** What the automation engine did about one run (retries, breaker changes, refusals). */
export async function listRunAutomationEvents(db: Queryable, runId: number): Promise<DbAutomationEvent[]> {
  const { rows } = await db.query<DbAutomationEvent>(`SELECT * FROM crmsync.automation_events WHERE run_id = $1 ORDER BY id`, [runId])
  return rows
}

export interface DbSourceTable {
  schema: string
  table: string
  columns: number
  has_deleted_at: boolean
}

/** The tables of the given schemas (the sources'), with their column counts. */
export async function listSourceTables(db: Queryable, schemas: readonly string[]): Promise<DbSourceTable[]> {
  const { rows } = await db.query<DbSourceTable>(
    `SELECT t.table_schema AS schema, t.table_name AS table, count(c.column_name)::int AS columns,
       bool_or(c.column_name = '_deleted_at') AS has_deleted_at
     FROM information_schema.tables t
     JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name
     WHERE t.table_schema = ANY($1::text[]) AND t.table_type = 'BASE TABLE'
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [schemas],
  )
  return rows
}

export interface DbColumn {
  name: string
  type: string
  primary_key: boolean
}

/** A table's columns in order, marking the primary key's. */
export async function listColumns(db: Queryable, schema: string, table: string): Promise<DbColumn[]> {
  const { rows } = await db.query<DbColumn>(
    `SELECT c.column_name AS name, c.data_type AS type, (k.column_name IS NOT NULL) AS primary_key
     FROM information_schema.columns c
     LEFT JOIN (
       SELECT ku.column_name FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage ku ON ku.constraint_name = tc.constraint_name AND ku.table_schema = tc.table_schema
       WHERE tc.table_schema = $1 AND tc.table_name = $2 AND tc.constraint_type = 'PRIMARY KEY'
     ) k ON k.column_name = c.column_name
     WHERE c.table_schema = $1 AND c.table_name = $2 ORDER BY c.ordinal_position`,
    [schema, table],
  )
  return rows
}

/** Rows of a table in a table without `_deleted_at` (the stream tables use countTableRows). */
export async function countAllRows(db: Queryable, schema: string, table: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualified(schema, table)}`)
  return rows[0].n
}

/**
 * One page of a table for the data browser: rows as JSON (so every type renders the same on both
 * drivers), ordered by the given columns. OFFSET is fine here: a preview, never a sync.
 * Callers pass identifiers read from information_schema; they are quoted all the same.
 */
export async function previewRows(db: Queryable, schema: string, table: string, orderBy: readonly string[], limit: number, offset: number): Promise<Record<string, unknown>[]> {
  const order = orderBy.length ? `ORDER BY ${orderBy.map((c) => `t.${quoteIdent(c)}`).join(', ')}` : ''
  const { rows } = await db.query<{ row: Record<string, unknown> }>(
    `SELECT to_jsonb(t) AS row FROM ${qualified(schema, table)} t ${order} LIMIT $1 OFFSET $2`,
    [limit, offset],
  )
  return rows.map((r) => r.row)
}

export interface DbLanded {
  source: string
  stream: string
  /** when the stream's last run that landed data (succeeded or partial, not a backfill) finished */
  landed_at: Date
}

/** The last time each stream landed data: what "stale" is measured from. */
export async function lastLandedRuns(db: Queryable): Promise<DbLanded[]> {
  const { rows } = await db.query<DbLanded>(
    `SELECT DISTINCT ON (source, stream) source, stream, finished_at AS landed_at FROM crmsync.sync_runs
     WHERE status IN ('succeeded', 'partial') AND mode NOT IN ('backfill', 'reprocess') AND finished_at IS NOT NULL AND NOT dry_run
     ORDER BY source, stream, started_at DESC`,
  )
  return rows
}

/** The first `limit` pages of a run: a run of a million rows in small pages must not make a page of megabytes. */
export async function listRunPagesUpTo(db: Queryable, runId: number, limit: number): Promise<DbRunPage[]> {
  const { rows } = await db.query<DbRunPage>(`SELECT * FROM crmsync.run_pages WHERE run_id = $1 ORDER BY page_no LIMIT $2`, [runId, limit])
  return rows
}
