import type { EngineEvents } from '../engine/events.ts'
import type { Logger } from '../log.ts'
import { checkpoint, vacuum, vacuumAnalyze } from '../warehouse/sql/maintenance.ts'
import type { Warehouse } from '../warehouse/types.ts'

/** crmsync's own tables that every run rewrites or deletes from (a full pass's keys above all). */
const CHURNED_TABLES = ['pass_keys', 'stream_state', 'sync_runs', 'run_pages', 'rejects'] as const

/**
 * The upkeep PostgreSQL's autovacuum does on a server, for the embedded warehouse, which has none
 * (single-user mode): the tables this process's runs wrote are vacuumed and analyzed when it lets
 * the warehouse go, then a checkpoint lets the write-ahead log shrink. Without it a full pass's
 * keys (one row per record, deleted when the pass ends) and every updated row's old version stay
 * on disk for good, and the planner never learns the tables' sizes. Returns the step to run
 * before the warehouse closes.
 */
export function tidyEmbeddedWarehouseOnClose(warehouse: Warehouse, events: EngineEvents, log: Logger): () => Promise<void> {
  const written = new Map<string, { schema: string; table: string; changed: boolean }>()
  const stopListening = events.on('run:end', ({ summary }) => {
    // a run that read anything wrote to its table or to the pass's keys (an unchanged full pass writes every key);
    // vacuuming a table whose pages are all visible skips them, so a small run's upkeep is small
    if (summary.dryRun || summary.fetched + summary.deleted === 0) return
    const key = `${summary.source}.${summary.stream}`
    const changed = summary.inserted + summary.updated + summary.deleted > 0 || (written.get(key)?.changed ?? false)
    written.set(key, { schema: summary.source, table: summary.stream, changed })
  })
  return async () => {
    stopListening()
    if (written.size === 0) return
    const started = performance.now()
    for (const { schema, table, changed } of [...written.values(), ...CHURNED_TABLES.map((table) => ({ schema: 'crmsync', table, changed: true }))]) {
      // statistics only where rows changed: an unchanged incremental run's ANALYZE of seven large
      // tables took 14 of its 39 s (a 3.7M-row warehouse), for statistics that had not moved
      const step = changed ? vacuumAnalyze : vacuum
      // a table a failed first run never created is no reason to leave the others as they are
      await step(warehouse, schema, table).catch((error) => log.warn({ err: error, schema, table }, 'vacuum failed'))
    }
    await checkpoint(warehouse)
    log.info({ tables: written.size, ms: Math.round(performance.now() - started) }, 'embedded warehouse vacuumed')
  }
}
