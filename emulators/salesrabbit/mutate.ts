import { z } from 'zod'
import { HttpError } from '../shared/http.ts'
import type { Random } from '../shared/random.ts'
import type { SalesRabbitStore } from './store.ts'
import { insertRow, maxId, type Row } from './table.ts'
import { leadOps, userOps, type TableOps } from './table-ops.ts'
import { formatTimestamp, parseInstant, timestampInput } from './timestamps.ts'

const count = z.number().int().nonnegative()
const explicitUpdate = z.object({ id: z.number().int(), set: z.record(z.string(), z.unknown()) }).strict()

/**
 * POST /_admin/mutate. Numbers ask for that many seeded, realistic changes; arrays say exactly
 * what to change. Every change in one call carries the same `at` (ties on purpose).
 */
export const mutateSchema = z
  .object({
    table: z.enum(['leads', 'users']),
    updates: z.union([count, z.array(explicitUpdate)]).optional(),
    inserts: z.union([count, z.array(z.record(z.string(), z.unknown()))]).optional(),
    deletes: z.union([count, z.array(z.number().int())]).optional(),
    /** when the changes happen; default now (never before the table's newest dateModified) */
    at: timestampInput.optional(),
  })
  .strict()

export interface MutationResult {
  table: 'leads' | 'users'
  /** the fields each update changed, dateModified included */
  updated: { id: number; values: Record<string, unknown> }[]
  /** the whole new rows */
  inserted: { id: number; values: Record<string, unknown> }[]
  /** soft-deleted leads / deactivated users */
  deleted: number[]
}

export function mutate(store: SalesRabbitStore, body: unknown): MutationResult {
  const parsed = mutateSchema.safeParse(body)
  if (!parsed.success) throw new HttpError(400, `invalid mutation: ${z.prettifyError(parsed.error)}`)
  const request = parsed.data
  // the ops are typed per table; the orchestration below only needs the Row contract
  const ops = (request.table === 'leads' ? leadOps(store) : userOps(store)) as unknown as TableOps<Row>
  const at = request.at ?? defaultAt(ops)
  const atMs = parseInstant(at)!
  const touched = new Set<number>()
  const result: MutationResult = { table: request.table, updated: [], inserted: [], deleted: [] }

  // everything the caller spelled out is checked before anything changes: a 4xx changes nothing
  const explicitUpdates = (Array.isArray(request.updates) ? request.updates : []).map(({ id, set }) => {
    touched.add(id)
    return { row: findRow(ops, id, request.table), set: ops.parseSet(set) }
  })
  const explicitDeletes = (Array.isArray(request.deletes) ? request.deletes : []).map((id) => {
    touched.add(id)
    return findRow(ops, id, request.table)
  })
  const records: unknown[] =
    typeof request.inserts === 'number' ? Array(request.inserts).fill({}) : (request.inserts ?? [])
  const inserts = records.map((record) => ops.parseInsert(record))
  const givenIds = inserts.flatMap((given) => (given.id === undefined ? [] : [given.id]))
  for (const id of givenIds) {
    if (ops.table.rows.has(id)) throw new HttpError(409, `${request.table} row ${id} already exists`)
  }
  if (new Set(givenIds).size < givenIds.length) throw new HttpError(409, 'two inserts share one id')

  for (const { row, set } of explicitUpdates) updateRow(ops, row, set, at, result)
  const randomUpdates = typeof request.updates === 'number' ? request.updates : 0
  for (const row of pickLive(store.mutationRandom, ops, randomUpdates, touched)) {
    updateRow(ops, row, ops.randomChange(row, atMs), at, result)
  }

  let lastId = Math.max(maxId(ops.table), ...givenIds)
  for (const given of inserts) {
    const id = given.id ?? (lastId = ops.nextId(lastId))
    const row = ops.create(id, atMs, given)
    insertRow(ops.table, row)
    touched.add(id)
    result.inserted.push({ id, values: { ...row } })
  }

  const deletes = Array.isArray(request.deletes)
    ? explicitDeletes.map((row) => ops.table.rows.get(row.id)!)
    : pickLive(store.mutationRandom, ops, request.deletes ?? 0, touched)
  for (const row of deletes) {
    if (!ops.isLive(row)) continue
    ops.table.rows.set(row.id, ops.remove(row, at))
    result.deleted.push(row.id)
  }
  return result
}

function updateRow(ops: TableOps<Row>, row: Row, set: Partial<Row>, at: string, result: MutationResult) {
  const next = ops.apply(row, set, at)
  ops.table.rows.set(row.id, next)
  result.updated.push({ id: row.id, values: changedValues(row, next) })
}

function findRow(ops: TableOps<Row>, id: number, table: string): Row {
  const row = ops.table.rows.get(id)
  if (!row) throw new HttpError(404, `no ${table} row with id ${id}`)
  return row
}

/** `n` distinct live rows not touched earlier in this call, in a seeded order. */
export function pickLive(random: Random, ops: TableOps<Row>, n: number, touched: Set<number>): Row[] {
  const pool: Row[] = []
  for (const id of ops.table.order) {
    const row = ops.table.rows.get(id)!
    if (ops.isLive(row) && !touched.has(id)) pool.push(row)
  }
  const picked: Row[] = []
  while (picked.length < n && pool.length > 0) {
    const i = random.int(0, pool.length - 1)
    picked.push(pool[i])
    pool[i] = pool[pool.length - 1]
    pool.pop()
  }
  for (const row of picked) touched.add(row.id)
  return picked
}

/**
 * Now, at second precision, but never before the newest dateModified already in the table: a
 * default change must look newer than everything a client has seen, whatever the machine's clock.
 */
export function defaultAt(ops: TableOps<Row>): string {
  let newest = formatTimestamp(Date.now())
  for (const row of ops.table.rows.values()) if (row.dateModified > newest) newest = row.dateModified
  return newest
}

function changedValues(before: Row, after: Row): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(after)) {
    const old = (before as unknown as Record<string, unknown>)[key]
    if (key === 'dateModified' || JSON.stringify(old) !== JSON.stringify(value)) values[key] = value
  }
  return values
}
