import { EventEmitter } from 'node:events'
import type { ConnectorEvent } from '../connectors/types.ts'
import type { PageCounts } from '../warehouse/store.ts'
import type { RunSummary } from './summary.ts'
import type { SchemaChange } from './table-shape.ts'

/**
 * How far a read is through the size its source told (`ReadSize`, src/connectors/types.ts): the
 * records it committed of the count told, or the bytes it consumed of the size told. `total` is
 * capped by what `--max-records` leaves the read.
 */
export interface ReadProgress {
  unit: 'records' | 'bytes'
  done: number
  total: number
}

/** What the engine tells the world. Operations (metrics, alerts, automation) only ever listen. */
export interface EngineEventMap {
  'run:start': { runId: number | null; source: string; stream: string; mode: string; trigger: string; reason: string; dryRun?: boolean }
  /** `dryRun`: the page was rolled back, nothing was written; `progress`: how far the read is through its told size */
  'page:committed': { runId: number | null; source: string; stream: string; pageNo: number; page: PageCounts; totals: PageCounts; cursor: unknown; dryRun?: boolean; progress?: ReadProgress }
  /** the streams of a source a sync runs, once listed (sources run one after another) */
  'streams:listed': { source: string; streams: readonly string[] }
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
