import type pg from 'pg'
import { historyProblems } from '../helpers/history-invariants.ts'
import { CATALOG, type SourceName } from './catalog.ts'

/**
 * History mode under chaos (README "History mode", src/warehouse/history.ts): every stream of a
 * scenario runs with `"history": true`, so every kill, fault, retry, resumed pass and schema change
 * lands on the version writes too. After each comparison run, each stream's `__history` must hold
 * its invariants: per key contiguous, non-overlapping, non-empty validity; exactly one current
 * version per row, live or soft-deleted, with the row's `_hash` and deleted state (so at least one
 * version per row); no version of a key the table lacks.
 */
// the contract's defaults spelled out: the in-process runs take it as the config file's parsed form
export const historyContracts = (streams: readonly string[], raw: 'whole' | 'slim' = 'whole') =>
  Object.fromEntries(streams.map((s) => [s, { schema: 'evolve', columns: {}, history: true, raw }]))

export async function checkHistory(client: pg.Pool, source: SourceName, streams: readonly string[]): Promise<string[]> {
  const problems: string[] = []
  for (const stream of streams) {
    const { primaryKey } = CATALOG[source].streams[stream]
    try {
      problems.push(...(await historyProblems(client as never, source, stream, primaryKey)))
    } catch (error) {
      problems.push(`${source}.${stream}__history: could not be checked: ${(error as Error).message}`)
    }
  }
  return problems
}
