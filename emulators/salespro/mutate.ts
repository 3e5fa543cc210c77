import type { DuckDBConnection } from '@duckdb/node-api'
import { z } from 'zod'
import { HttpError } from '../shared/http.ts'
import type { Random } from '../shared/random.ts'
import type { SalesProDatabase } from './database.ts'
import type { IdCounters } from './generate-tables.ts'
import type { Generators } from './generators.ts'
import { createPicker } from './mutate-picks.ts'
import { applyDeletes, applyInserts, applyUpdates, type ChangedRow } from './mutate-sql.ts'
import type { Org } from './org.ts'
import { ATHENA_TABLES, TABLES, type AthenaTable, type TableSpec } from './tables.ts'
import { parseTimestamp } from './timeline.ts'

const explicitValue = z.union([z.string(), z.number(), z.boolean(), z.null()])
const count = z.number().int().nonnegative().max(1_000_000)
const explicitUpdate = z.object({ key: z.string(), set: z.record(z.string(), explicitValue) }).strict()
const timestamp = z
  .string()
  .refine((text) => parseTimestamp(text) !== undefined, 'expected YYYY-MM-DD HH:MM:SS.fff')

/** `POST /_admin/mutate`: numbers pick random rows (seeded); arrays name rows and values */
export const mutateSchema = z
  .object({
    table: z.enum(ATHENA_TABLES),
    updates: z.union([count, z.array(explicitUpdate)]).optional(),
    inserts: z.union([count, z.array(z.record(z.string(), explicitValue))]).optional(),
    deletes: z.union([count, z.array(z.string())]).optional(),
    /** when the change happens: `YYYY-MM-DD HH:MM:SS.fff` (UTC); default now */
    at: timestamp.optional(),
  })
  .strict()

export type MutateRequest = z.infer<typeof mutateSchema>

export interface MutateResult {
  table: AthenaTable
  updated: ChangedRow[]
  inserted: ChangedRow[]
  deleted: string[]
}

export interface MutateContext {
  db: SalesProDatabase
  generators: Generators
  org: Org
  counters: IdCounters
  /** the seeded stream that picks random rows */
  random: Random
  /**
   * lead results deleted so far, by their estimate's id: a new lead result goes to an estimate
   * that never had one, so no key comes back as a new record older than the one deleted (a
   * late insert is stamped in the past; only a re-insert, stamped now, brings a key back)
   */
  deletedLeadResults: Set<string>
}

const badRequest = (message: string) => new HttpError(400, message)

export function parseMutateRequest(body: unknown): MutateRequest {
  const parsed = mutateSchema.safeParse(body)
  if (!parsed.success) throw badRequest(`invalid mutate request: ${z.prettifyError(parsed.error)}`)
  const request = parsed.data
  if (!TABLES[request.table].updatable && (request.updates !== undefined || request.deletes !== undefined)) {
    throw badRequest(`${request.table} is an append-only log: only inserts are accepted`)
  }
  return request
}

/** explicit values must name the table's current columns (POST /_admin/alter may have changed them) */
function checkColumns(spec: TableSpec, request: MutateRequest) {
  const known = new Set(spec.columns.map((c) => c.name))
  const columns = [
    ...(Array.isArray(request.updates) ? request.updates.flatMap((u) => Object.keys(u.set)) : []),
    ...(Array.isArray(request.inserts) ? request.inserts.flatMap(Object.keys) : []),
  ]
  const unknown = [...new Set(columns.filter((c) => !known.has(c)))]
  if (unknown.length > 0) throw badRequest(`${request.table} has no column ${unknown.join(', ')}`)
}

/**
 * Applies one mutate request in a single transaction: updates, then inserts, then deletes
 * (random deletes never pick a row this request updated or inserted).
 */
export async function mutate(
  connection: DuckDBConnection,
  context: MutateContext,
  request: MutateRequest,
): Promise<MutateResult> {
  const spec = context.db.spec(request.table)
  checkColumns(spec, request)
  const atMs = request.at === undefined ? Date.now() : parseTimestamp(request.at)!
  const result: MutateResult = { table: request.table, updated: [], inserted: [], deleted: [] }
  await connection.run('BEGIN TRANSACTION')
  try {
    if (request.updates !== undefined) {
      result.updated = await applyUpdates(connection, context, spec, request.updates, atMs)
    }
    if (request.inserts !== undefined) {
      result.inserted = await applyInserts(connection, context, spec, request.inserts, atMs)
    }
    if (request.deletes !== undefined) {
      const touched = [...result.updated, ...result.inserted].flatMap((row) => row.key ?? [])
      const keys =
        typeof request.deletes === 'number'
          ? await createPicker(connection, context).keys(spec.name, request.deletes, touched)
          : request.deletes
      result.deleted = await applyDeletes(connection, context.db, spec, keys)
      if (spec.name === 'lead_results') for (const key of result.deleted) context.deletedLeadResults.add(key)
    }
    await connection.run('COMMIT')
  } catch (error) {
    await connection.run('ROLLBACK')
    if (error instanceof HttpError) throw error
    throw badRequest(`mutate failed: ${String((error as Error).message).split('\n')[0]}`)
  }
  return result
}
