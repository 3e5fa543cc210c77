import type { RunCounts } from '../../run-counts.ts'
import type { Queryable } from '../types.ts'
import type { PageCounts } from './runs.ts'

/** A row of crmsync.run_pages; its counts are `RUN_COUNTS`. */
export interface DbRunPage extends RunCounts {
  run_id: number
  page_no: number
  fetch_ms: number
  write_ms: number
  cursor: unknown
  committed_at: Date
}

export async function insertRunPage(db: Queryable, runId: number, pageNo: number, page: PageCounts, cursor: unknown): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.run_pages (run_id, page_no, fetched, inserted, updated, unchanged, rejected, coerced, deleted, fetch_ms, write_ms, cursor)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [runId, pageNo, page.fetched, page.inserted, page.updated, page.unchanged, page.rejected, page.coerced, page.deleted, page.fetchMs, page.writeMs, cursor === undefined ? null : JSON.stringify(cursor)],
  )
}

export async function listRunPages(db: Queryable, runId: number): Promise<DbRunPage[]> {
  const { rows } = await db.query<DbRunPage>(`SELECT * FROM crmsync.run_pages WHERE run_id = $1 ORDER BY page_no`, [runId])
  return rows
}
