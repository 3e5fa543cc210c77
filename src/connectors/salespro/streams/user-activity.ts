import { createHash } from 'node:crypto'
import { ValueError, type FieldChange } from '../../processors.ts'
import { parse } from '../processors.ts'
import { userActivitySchema as schema } from '../schemas.ts'
import { convertColumns, type RowResult, type TableStreamSpec } from './table-stream.ts'

/**
 * `user_activity` is an append-only log with no key and no `updated_at`. The honest design:
 * - a row is identified by its content: `activity_key` = a hash of every column, plus an ordinal
 *   that tells apart rows identical in every column (the same note logged twice in one instant);
 * - the query orders by `created_at` and then by every column, so identical rows are adjacent and
 *   numbered the same way on every read;
 * - the cursor is `created_at` alone, and a read always restarts at the first row of that instant,
 *   so the ordinals of a tie are recounted from the same start (a lookback re-reads, never skips);
 * - write mode `append`: a key already stored is left alone, and nothing is ever soft-deleted.
 * What it cannot know: a source row that is edited in place (which an append-only log should not
 * do) arrives as a new row and the old one stays.
 */
const COLUMNS = [
  'user_id',
  'company_id',
  'company_name',
  'local_customer_uuid',
  'customer_id',
  'activity_note',
  'key_metric',
  'activity_identifier',
  'price_type',
  'price',
  'original_row_num',
] as const

const parsers = {
  created_at: parse.timestamp,
  ...Object.fromEntries(COLUMNS.map((c) => [c, parse.text])),
  price: parse.decimal,
  original_row_num: parse.bigint,
}

function toActivity(row: Record<string, string | null>, query: Map<string, number>, zone: string): RowResult {
  if (!row.created_at) return { reject: 'created_at is NULL, so the activity cannot be placed in time or synced incrementally' }
  const content = JSON.stringify([row.created_at, ...COLUMNS.map((c) => row[c] ?? null)])
  const digest = createHash('sha1').update(content).digest('hex').slice(0, 24)
  // rows identical in every column are adjacent (the query orders by every column): count them
  const ordinal = query.has(digest) ? (query.get(digest) as number) + 1 : 0
  query.clear()
  query.set(digest, ordinal)
  const key = `${digest}#${ordinal}`
  const changes: FieldChange[] = []
  try {
    return { records: [{ values: { activity_key: key, ...convertColumns(row, parsers, zone, changes, ['created_at']) }, raw: row, changes }] }
  } catch (error) {
    if (error instanceof ValueError) return { reject: error.message, key }
    throw error
  }
}

export const userActivity: TableStreamSpec = {
  name: 'user_activity',
  table: 'user_activity',
  cursorColumn: 'created_at',
  schema,
  primaryKey: ['activity_key'],
  write: 'append',
  orderColumns: [...COLUMNS],
  convert: toActivity,
}
