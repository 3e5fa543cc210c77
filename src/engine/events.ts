import { EventEmitter } from 'node:events'
import type { ConnectorEvent } from '../connectors/types.ts'
import type { PageCounts } from '../warehouse/store.ts'
import type { RunSummary } from './summary.ts'
import type { SchemaChange } from './table-shape.ts'

/** What the engine tells the world. Operations (metrics, alerts, automation) only ever listen. */
export interface EngineEventMap {
  'run:start': { runId: number | null; source: string; stream: string; mode: string; trigger: string; reason: string; dryRun?: boolean }
  /** `dryRun`: the page was rolled back, nothing was written */
  'page:committed': { runId: number | null; source: string; stream: string; pageNo: number; page: PageCounts; totals: PageCounts; cursor: unknown; dryRun?: boolean }
  'run:retry': { runId: number | null; source: string; stream: string; attempt: number; waitMs: number; error: string; code: string }
  'run:end': { summary: RunSummary }
  'run:abandoned': { runId: number; source: string; stream: string }
  /** the stream's table changed shape (committed with the page that first showed it) */
  'schema:changed': { runId: number | null; source: string; stream: string; changes: readonly SchemaChange[]; dryRun?: boolean }
  connector: { source: string; stream: string } & ConnectorEvent
}

export type EngineEventName = keyof EngineEventMap

export interface EngineEvents {
  emit<E extends EngineEventName>(event: E, payload: EngineEventMap[E]): void
  on<E extends EngineEventName>(event: E, listener: (payload: EngineEventMap[E]) => void): () => void
}

export function createEngineEvents(): EngineEvents {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(100)
  return {
    emit(event, payload) {
      // a listener's failure (a metrics bug, a dead webhook) must never fail a sync
      for (const listener of emitter.listeners(event)) {
        try {
          ;(listener as (p: unknown) => void)(payload)
        } catch {
          // listeners report their own errors
        }
      }
    },
    on(event, listener) {
      emitter.on(event, listener as (p: unknown) => void)
      return () => emitter.off(event, listener as (p: unknown) => void)
    },
  }
}
