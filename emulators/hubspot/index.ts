import { z } from 'zod'
import { startEmulatorServer, type RunningEmulator } from '../shared/http.ts'
import { createRandom, deriveSeed } from '../shared/random.ts'
import { adminHandlers, countTables } from './admin.ts'
import type { EmulatorState } from './context.ts'
import { sendHubSpotError } from './errors.ts'
import { DEFAULT_TIE_AT, generateDataset } from './generate.ts'
import { findAdminSpec, OWNERS } from './object-types.ts'
import { createRateLimiter, DEFAULT_LIMITS, limitsSchema } from './rate-limit.ts'
import { handleApi, throttleAnswer } from './router.ts'
import { createStats } from './stats.ts'

/**
 * A local HubSpot CRM API: the official `@hubspot/api-client` 13.x (`basePath`) and plain
 * fetch work against it unchanged. The wire facts it follows: shared/reference/source-apis.md §3.
 */
export interface HubSpotEmulatorOptions {
  /** @default '127.0.0.1' */
  host?: string
  /** @default 0 (any free port) */
  port?: number
  /** number of contacts; companies ≈ rows/5, deals ≈ rows/3, appointments ≈ rows/2 @default 1000 */
  rows?: number
  /** @default 1 */
  seed?: number
  /** the private-app token it accepts @default 'emulator-hubspot-token' */
  token?: string
  /**
   * `size` records of one object (default contacts) share ONE modified time `at` (ISO, ms).
   * @default size rows > 25_000 ? 40% of rows : 10% of rows
   */
  tie?: { size: number; object?: string; at?: string }
  /** @default { tenSecondly: 100, secondly: off, searchPerSecond: 5, daily: 250_000 } */
  limits?: { tenSecondly?: number; secondly?: number; searchPerSecond?: number; daily?: number }
  /** records written within this many ms are not yet visible to search (HubSpot's index lag) @default 0 */
  searchLagMs?: number
  /** a list `limit` above 100 is clamped, or answered with a 400 @default 'clamp' */
  maxListLimit?: 'clamp' | 'reject'
}

const optionsSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(0),
    rows: z.number().int().nonnegative().default(1000),
    seed: z.number().int().default(1),
    token: z.string().min(1).default('emulator-hubspot-token'),
    tie: z
      .object({
        size: z.number().int().nonnegative(),
        object: z.string().default('contacts'),
        at: z.iso.datetime({ offset: true }).optional(),
      })
      .strict()
      .optional(),
    limits: limitsSchema.extend({ secondly: z.number().int().positive().optional() }).partial().default({}),
    searchLagMs: z.number().int().nonnegative().default(0),
    maxListLimit: z.enum(['clamp', 'reject']).default('clamp'),
  })
  .strict()

/**
 * Generates the seeded portal and starts listening. Besides the shared `/_admin/health|tables|
 * mutate|faults`, it answers `POST /_admin/alter` `{object, add, touch, at}`,
 * `POST /_admin/tie` `{object, size, at}`, `GET|POST /_admin/limits`,
 * `GET /_admin/stats`, `POST /_admin/stats/reset` and `POST /_admin/settings` `{searchLagMs}`.
 */
export async function startHubSpotEmulator(options: HubSpotEmulatorOptions = {}): Promise<RunningEmulator> {
  const parsed = optionsSchema.safeParse(options)
  if (!parsed.success) throw new Error(`invalid HubSpot emulator options: ${z.prettifyError(parsed.error)}`)
  const o = parsed.data
  const tieSpec = findAdminSpec(o.tie?.object ?? 'contacts')
  if (!tieSpec || tieSpec === OWNERS) {
    throw new Error(`invalid HubSpot emulator options: unknown tie object ${o.tie?.object}`)
  }
  const store = generateDataset({
    rows: o.rows,
    seed: o.seed,
    tie: {
      object: tieSpec,
      size: o.tie?.size ?? (o.rows > 25_000 ? Math.floor(o.rows * 0.4) : Math.floor(o.rows * 0.1)),
      at: new Date(o.tie?.at ?? DEFAULT_TIE_AT).toISOString(),
    },
  })
  const state: EmulatorState = {
    store,
    limiter: createRateLimiter({ ...DEFAULT_LIMITS, ...o.limits, secondly: o.limits.secondly ?? null }),
    stats: createStats(),
    settings: { token: o.token, searchLagMs: o.searchLagMs, maxListLimit: o.maxListLimit },
    searchCache: new Map(),
    random: createRandom(deriveSeed(o.seed, 'admin')),
    baseUrl: 'http://127.0.0.1',
  }
  const server = await startEmulatorServer({
    host: o.host,
    port: o.port,
    handle: (req, res) => handleApi(state, req, res),
    admin: adminHandlers(state),
    throttle: throttleAnswer(state),
    sendError: sendHubSpotError,
    random: createRandom(deriveSeed(o.seed, 'faults')).next,
  })
  state.baseUrl = server.url
  return {
    url: server.url,
    env: { HUBSPOT_API_TOKEN: o.token, HUBSPOT_BASE_URL: server.url },
    tables: async () => countTables(state),
    close: server.close,
  }
}
