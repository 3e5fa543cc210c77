export { runJson } from '../warehouse/sql/runs.ts'
import { redactSecrets } from '../log.ts'
import type { DbRunPage } from '../warehouse/sql/run-pages.ts'
import type { DbReject } from '../warehouse/sql/rejects.ts'

export const pageJson = (p: DbRunPage) => ({
  pageNo: p.page_no,
  fetched: p.fetched,
  inserted: p.inserted,
  updated: p.updated,
  unchanged: p.unchanged,
  rejected: p.rejected,
  coerced: p.coerced,
  deleted: p.deleted,
  fetchMs: p.fetch_ms,
  writeMs: p.write_ms,
  cursor: p.cursor,
  committedAt: p.committed_at,
})

export const rejectJson = (r: DbReject) => ({ key: r.record_key, reason: redactSecrets(r.reason), raw: r.raw, createdAt: r.created_at })
