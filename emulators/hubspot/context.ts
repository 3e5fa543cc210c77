import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Random } from '../shared/random.ts'
import type { RateLimiter } from './rate-limit.ts'
import type { RequestStats } from './stats.ts'
import type { HsRecord, Store } from './store.ts'

/** Everything one running emulator holds: its data, its limiter, its counters and its settings. */
export interface EmulatorState {
  readonly store: Store
  readonly limiter: RateLimiter
  readonly stats: RequestStats
  readonly settings: {
    readonly token: string
    /** records written within this many ms are not yet in the search index */
    searchLagMs: number
    readonly maxListLimit: 'clamp' | 'reject'
  }
  /** matched-and-sorted search results per query, valid while `version` equals the store's */
  readonly searchCache: Map<string, { version: number; records: HsRecord[] }>
  /** seeded: the admin's random picks are reproducible */
  readonly random: Random
  baseUrl: string
}

export interface RouteInput {
  readonly state: EmulatorState
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly url: URL
  /** the route pattern's captures, URI-decoded */
  readonly params: readonly string[]
}

export type RouteHandler = (input: RouteInput) => Promise<void>
