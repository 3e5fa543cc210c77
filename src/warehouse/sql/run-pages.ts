import { RUN_COUNTS, type RunCounts } from '../../run-counts.ts'
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

// run_id, page_no, every count column (RUN_COUNTS order), fetch_ms, write_ms, cursor
const INSERT_RUN_PAGE_COLUMNS = ['run_id', 'page_no', ...RUN_COUNTS, 'fetch_ms', 'write_ms', 'cursor']
const INSERT_RUN_PAGE = `INSERT INTO crmsync.run_pages (${INSERT_RUN_PAGE_COLUMNS.join(', ')})
     VALUES (${INSERT_RUN_PAGE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`

export async function insertRunPage(db: Queryable, runId: number, pageNo: number, page: PageCounts, cursor: unknown): Promise<void> {
  const counts = RUN_COUNTS.map((c) => page[c])
  await db.query(INSERT_RUN_PAGE, [runId, pageNo, ...counts, page.fetchMs, page.writeMs, cursor === undefined ? null : JSON.stringify(cursor)])
}

export async function listRunPages(db: Queryable, runId: number): Promise<DbRunPage[]> {
  const { rows } = await db.query<DbRunPage>(`SELECT * FROM crmsync.run_pages WHERE run_id = $1 ORDER BY page_no`, [runId])
  return rows
}
