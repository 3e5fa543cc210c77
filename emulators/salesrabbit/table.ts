/**
 * One in-memory table served page by page. Rows keep a fixed serving order (by `rank`, then id)
 * that is neither the id nor dateModified, like the real API's, and that does not change between
 * requests; a row inserted later lands somewhere in the middle, so offset paging during writes
 * can skip or repeat rows, as it can against the real service.
 */
export interface Row {
  id: number
  dateModified: string
}

export interface Table<T extends Row> {
  readonly rows: Map<number, T>
  /** ids in serving order */
  readonly order: number[]
  readonly rank: (id: number) => number
}

export interface PageRequest {
  /** 1-based */
  page: number
  size: number
  /** only rows with dateModified >= this stored-form timestamp */
  modifiedSince?: string
}

export interface PageResult<T> {
  data: T[]
  morePages: boolean
}

export function createTable<T extends Row>(rows: readonly T[], rank: (id: number) => number): Table<T> {
  const table: Table<T> = {
    rows: new Map(rows.map((row) => [row.id, row])),
    order: rows.map((row) => row.id),
    rank,
  }
  table.order.sort((a, b) => compare(table, a, b))
  return table
}

function compare<T extends Row>(table: Table<T>, a: number, b: number): number {
  return table.rank(a) - table.rank(b) || a - b
}

export function insertRow<T extends Row>(table: Table<T>, row: T): void {
  if (table.rows.has(row.id)) throw new Error(`row ${row.id} already exists`)
  table.rows.set(row.id, row)
  let low = 0
  let high = table.order.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (compare(table, table.order[mid], row.id) < 0) low = mid + 1
    else high = mid
  }
  table.order.splice(low, 0, row.id)
}

export function maxId(table: Table<Row>): number {
  let max = 0
  for (const id of table.rows.keys()) if (id > max) max = id
  return max
}

/** Offset paging over the serving order, with the dateModified filter applied before paging. */
export function selectPage<T extends Row>(table: Table<T>, request: PageRequest): PageResult<T> {
  const since = request.modifiedSince
  const skip = (request.page - 1) * request.size
  const data: T[] = []
  let seen = 0
  for (const id of table.order) {
    const row = table.rows.get(id)!
    // stored timestamps share one fixed format, so string order is time order
    if (since !== undefined && row.dateModified < since) continue
    if (seen++ < skip) continue
    if (data.length === request.size) return { data, morePages: true }
    data.push(row)
  }
  return { data, morePages: false }
}

/** Every row passing the filter, in serving order (the users quirk answers this on every page). */
export function selectAll<T extends Row>(table: Table<T>, modifiedSince?: string): T[] {
  const out: T[] = []
  for (const id of table.order) {
    const row = table.rows.get(id)!
    if (modifiedSince === undefined || row.dateModified >= modifiedSince) out.push(row)
  }
  return out
}

/** A stable, seed-dependent shuffle key for an id (murmur3's 32-bit finaliser). */
export function hashRank(seed: number): (id: number) => number {
  return (id) => {
    let h = (id ^ seed ^ 0x9e3779b9) >>> 0
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
    return (h ^ (h >>> 16)) >>> 0
  }
}
