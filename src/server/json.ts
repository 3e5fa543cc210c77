import { redactSecrets } from '../log.ts'
import type { DbRunPage } from '../warehouse/sql/run-pages.ts'
import type { DbReject } from '../warehouse/sql/rejects.ts'
import type { DbRun } from '../warehouse/sql/runs.ts'

/** A run as the JSON API shows it: the fields of `crmsync history --json`, plus where it runs. */
export const runJson = (r: DbRun) => ({
  id: r.id,
  source: r.source,
  stream: r.stream,
  mode: r.mode,
  status: r.status,
  trigger: r.trigger,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  heartbeatAt: r.heartbeat_at,
  durationMs: r.duration_ms,
  fetched: r.fetched,
  inserted: r.inserted,
  updated: r.updated,
  unchanged: r.unchanged,
  rejected: r.rejected,
  deleted: r.deleted,
  pages: r.pages,
  fetchMs: r.fetch_ms,
  writeMs: r.write_ms,
  attempts: r.attempts,
  windowSince: r.window_since,
  windowUntil: r.window_until,
  cursorFrom: r.cursor_from,
  cursorTo: r.cursor_to,
  errorCode: r.error_code,
  error: r.error === null ? null : redactSecrets(r.error),
  host: r.host,
  pid: r.pid,
  workerId: r.worker_id ?? null,
  stopRequestedAt: r.stop_requested_at ?? null,
})

export const pageJson = (p: DbRunPage) => ({
  pageNo: p.page_no,
  fetched: p.fetched,
  inserted: p.inserted,
  updated: p.updated,
  unchanged: p.unchanged,
  rejected: p.rejected,
  deleted: p.deleted,
  fetchMs: p.fetch_ms,
  writeMs: p.write_ms,
  cursor: p.cursor,
  committedAt: p.committed_at,
})

export const rejectJson = (r: DbReject) => ({ key: r.record_key, reason: redactSecrets(r.reason), raw: r.raw, createdAt: r.created_at })
