import type { FullPass } from '../warehouse/store.ts'

/**
 * How a run reads and writes, decided by `resolveStrategy` (docs/design.md §3.4) and recorded as
 * `sync_runs.mode`: `incremental`, `full` (read everything, merge), `force` (read everything,
 * overwrite) or `backfill` (a window; the cursor stays). The read it asks of the stream is a
 * `ReadKind` (a forced run reads `full`); how its rows are written is a `WriteRule`.
 */
export type RunMode = 'backfill' | 'force' | 'full' | 'incremental'

/** The run modes one may ask for without a flag: the dashboard's Sync now and a queued job */
export const LAUNCH_MODES = ['incremental', 'full'] as const satisfies readonly RunMode[]
export type LaunchMode = (typeof LAUNCH_MODES)[number]

export interface StrategyFlags {
  since?: string
  until?: string
  force?: boolean
  full?: boolean
}

/** What the stream itself says about how it can be read. */
export interface StreamTraits {
  alwaysFull?: boolean
}

export interface StoredState {
  cursor: unknown
  fullPass: FullPass | null
}

export interface Strategy {
  mode: RunMode
  /** start a new full pass (forgets the cursor, keys seen from now on) */
  newPass: boolean
  /** carry on a full pass a previous run left unfinished */
  resumePass: boolean
  /** why, in words, for logs and history */
  reason: string
}

/**
 * docs/design.md §3.4, in order: a `--since/--until` window (backfill, cursor left alone) > `--force`
 * (re-read everything, overwrite every row) > `--full` (re-read everything, merge) > a full pass
 * left unfinished (finish it; one paused before it committed a position starts again) > the stored
 * cursor (incremental) > nothing stored (full).
 */
export function resolveStrategy(flags: StrategyFlags, state: StoredState | undefined, traits: StreamTraits = {}): Strategy {
  if (flags.since !== undefined || flags.until !== undefined)
    return { mode: 'backfill', newPass: false, resumePass: false, reason: 'a --since/--until window: backfill, the stored cursor is left alone' }
  if (flags.force) return { mode: 'force', newPass: true, resumePass: false, reason: '--force: re-read everything and overwrite every row' }
  if (flags.full) return { mode: 'full', newPass: true, resumePass: false, reason: '--full: re-read everything and merge' }
  if (traits.alwaysFull && !state?.fullPass)
    return { mode: 'full', newPass: true, resumePass: false, reason: 'this stream is read whole on every run (the source cannot tell what changed)' }
  if (state?.fullPass) {
    // Paused before it committed a position, a pass could only resume from the beginning, a whole
    // read: it starts again as a new pass. Carried on, it would keep the keys its first part saw (a
    // page cut by --max-records commits rows and keys without a position when the stream cannot
    // tell one, `Stream.cursorAt`), and a row seen then and deleted during the pause would count
    // as seen by a read that never owes a second one (docs/design.md §3.5).
    if (state.cursor === undefined || state.cursor === null)
      return { mode: state.fullPass.mode, newPass: true, resumePass: false, reason: 'a full pass was interrupted before it committed a position: starting it again from the beginning' }
    return { mode: state.fullPass.mode, newPass: false, resumePass: true, reason: 'a full pass was interrupted: resuming it from its last committed page' }
  }
  if (state?.cursor !== undefined && state?.cursor !== null)
    return { mode: 'incremental', newPass: false, resumePass: false, reason: 'a stored cursor: incremental from it' }
  return { mode: 'full', newPass: true, resumePass: false, reason: 'nothing stored yet: a full pass' }
}
