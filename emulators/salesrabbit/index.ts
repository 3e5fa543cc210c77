import { z } from 'zod'
import { startEmulatorServer, type RunningEmulator } from '../shared/http.ts'
import { alterFields } from './alter.ts'
import { createApiHandler, sendApiError } from './api.ts'
import { mutate } from './mutate.ts'
import { createRateLimiter } from './rate-limit.ts'
import { createRequestStats, resetRequestStats, trackRequest } from './request-stats.ts'
import { createSourceFaults, updateSourceFaults } from './source-faults.ts'
import { createStore } from './store.ts'

export interface SalesRabbitEmulatorOptions {
  /** @default '127.0.0.1' */
  host?: string
  /** @default 0 (any free port) */
  port?: number
  /** number of leads; users ≈ max(10, rows / 100). @default 1000 */
  rows?: number
  /** @default 1 */
  seed?: number
  /** the API token the emulator accepts. @default 'emulator-salesrabbit-token' */
  token?: string
  /**
   * the observed quirk: /users returns every user on every page, with morePages always true
   * @default true
   */
  usersEveryPage?: boolean
  /**
   * filter on If-Modified-Since server-side; false ignores the header, as some say the real API does
   * @default true
   */
  honorIfModifiedSince?: boolean
  /** answer 429 with Retry-After beyond this many requests a minute. @default none */
  rateLimit?: { perMinute: number }
}

const optionsSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(0),
    rows: z.number().int().nonnegative().default(1000),
    seed: z.number().int().default(1),
    token: z.string().min(1).default('emulator-salesrabbit-token'),
    usersEveryPage: z.boolean().default(true),
    honorIfModifiedSince: z.boolean().default(true),
    rateLimit: z.object({ perMinute: z.number().int().positive() }).optional(),
  })
  .strict()

/**
 * Starts the SalesRabbit emulator: the REST API crmsync's client talks to, seeded leads and
 * users, and admin routes (`/_admin/mutate`, `/_admin/alter`, `/_admin/stats`,
 * `/_admin/source-faults`, plus the shared health, tables and faults) for tests, the demo and
 * benchmarks.
 */
export async function startSalesRabbitEmulator(
  options: SalesRabbitEmulatorOptions = {},
): Promise<RunningEmulator> {
  const settings = optionsSchema.parse(options)
  const store = createStore(settings.seed, settings.rows)
  const stats = createRequestStats()
  const sourceFaults = createSourceFaults()
  const tables = async () => ({ leads: store.leads.rows.size, users: store.users.rows.size })

  const { server, url, close } = await startEmulatorServer({
    host: settings.host,
    port: settings.port,
    handle: createApiHandler({
      store,
      token: settings.token,
      usersEveryPage: settings.usersEveryPage,
      honorIfModifiedSince: settings.honorIfModifiedSince,
      rateLimiter: settings.rateLimit && createRateLimiter(settings.rateLimit.perMinute),
      sourceFaults,
    }),
    admin: {
      mutate: async (body) => mutate(store, body),
      tables,
      extra: {
        'POST /_admin/alter': async (body) => alterFields(store, body),
        'GET /_admin/stats': async () => stats,
        'POST /_admin/stats/reset': async () => (resetRequestStats(stats), stats),
        'GET /_admin/source-faults': async () => sourceFaults,
        'POST /_admin/source-faults': async (body) => updateSourceFaults(sourceFaults, body),
        'DELETE /_admin/source-faults': async () => Object.assign(sourceFaults, createSourceFaults()),
      },
    },
    // the shared throttle knob answers exactly like the emulator's own rate limit
    throttle: (_req, res, retryAfterSeconds = 1) =>
      sendApiError(res, 429, 'Too Many Requests', { 'Retry-After': String(Math.ceil(retryAfterSeconds)) }),
    sendError: (res, error) => sendApiError(res, error.status, error.message),
    random: store.faultRandom.next,
  })
  server.prependListener('request', (req, res) => trackRequest(stats, req, res))

  return {
    url,
    env: { SALESRABBIT_API_TOKEN: settings.token, SALESRABBIT_API_URL: url },
    tables,
    close,
  }
}
