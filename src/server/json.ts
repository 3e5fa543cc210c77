export { runJson } from '../warehouse/sql/runs.ts'
export { scheduleJson } from '../warehouse/sql/schedules.ts'
import { redactSecrets } from '../log.ts'
import { countsOf } from '../run-counts.ts'
import type { DbRunPage } from '../warehouse/sql/run-pages.ts'
import type { DbAuditEvent } from '../warehouse/sql/audit.ts'
import type { DbReject } from '../warehouse/sql/rejects.ts'
import type { RunLogLine } from '../warehouse/sql/run-logs.ts'

export const pageJson = (p: DbRunPage) => ({
  pageNo: p.page_no,
  ...countsOf(p),
  fetchMs: p.fetch_ms,
  writeMs: p.write_ms,
  cursor: p.cursor,
  committedAt: p.committed_at,
})

export const rejectJson = (r: DbReject) => ({ id: Number(r.id), runId: r.run_id === null ? null : Number(r.run_id), key: r.record_key, reason: redactSecrets(r.reason), raw: r.raw, createdAt: r.created_at })

export const auditJson = (e: DbAuditEvent) => ({ id: Number(e.id), at: e.at, action: e.action, target: e.target, address: e.address, status: e.status, detail: e.detail })

export const logLineJson = (l: RunLogLine) => ({ seq: l.seq, at: l.at, level: l.level, message: l.message, fields: l.fields })
