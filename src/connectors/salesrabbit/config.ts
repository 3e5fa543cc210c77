import { z } from 'zod'
import { SyncError } from '../../errors.ts'

/** The real API's largest page (and its default): asking for more is capped by the server anyway. */
export const MAX_PAGE_SIZE = 2000

export const salesRabbitConfigSchema = z.object({
  apiToken: z
    .string({ error: 'SALESRABBIT_API_TOKEN is not set (SalesRabbit web app: Integrations → API Keys)' })
    .min(1, 'SALESRABBIT_API_TOKEN is empty'),
  apiUrl: z
    .url('SALESRABBIT_API_URL must be a URL such as https://api.salesrabbit.com')
    .default('https://api.salesrabbit.com'),
  /** records asked for per request (`perPage`); the engine's page size (`batchSize`) can only make it smaller */
  pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(MAX_PAGE_SIZE),
  /** spaces requests evenly so a run never exceeds this rate (the real limit is not documented) */
  requestsPerMinute: z.number().positive().optional(),
  /** one request, body included, may take this long before it counts as a transient failure */
  timeoutSeconds: z.number().positive().default(60),
  /** tries of one request on 5xx, resets, timeouts and cut-short bodies before the run gives up */
  maxAttempts: z.number().int().min(1).max(10).default(4),
  /** the first backoff between those tries; it doubles each time, with jitter */
  retryBaseMs: z.number().int().nonnegative().default(500),
  /** 429 answers waited out (Retry-After) per request before the run gives up */
  maxRateLimitWaits: z.number().int().min(0).max(100).default(8),
  /**
   * a longer Retry-After is not waited inside the request: the run fails retryable instead, and the
   * engine waits it. Retry-After is read at most 120 s (src/retry.ts), so only a value below that
   * changes anything
   */
  maxRetryAfterSeconds: z.number().positive().default(300),
})

export type SalesRabbitConfig = z.infer<typeof salesRabbitConfigSchema>

/**
 * The keys of `sources.salesrabbit` in crmsync.config.json that this connector reads (beside the
 * engine's own settings); config.ts refuses any other key. Values are checked by the schema above.
 */
export const salesRabbitFileShape = {
  pageSize: z.unknown().optional(),
  requestsPerMinute: z.unknown().optional(),
  timeoutSeconds: z.unknown().optional(),
  maxAttempts: z.unknown().optional(),
  retryBaseMs: z.unknown().optional(),
  maxRateLimitWaits: z.unknown().optional(),
  maxRetryAfterSeconds: z.unknown().optional(),
}

// the file section also holds the engine's keys (lookbackSeconds, batchSize...): only ours are read here
const fileSectionSchema = z.object(salesRabbitFileShape)

/** The environment variable names are the original system's (docs/design.md §5). */
export function loadSalesRabbitConfig(
  vars: Readonly<Record<string, string | undefined>>,
  fileSection: unknown,
): SalesRabbitConfig {
  const file = fileSectionSchema.safeParse(fileSection ?? {})
  if (!file.success) throw new SyncError('config_invalid', 'sources.salesrabbit (config file) is not an object')
  const parsed = salesRabbitConfigSchema.safeParse({
    ...file.data,
    apiToken: vars.SALESRABBIT_API_TOKEN || undefined,
    apiUrl: vars.SALESRABBIT_API_URL || undefined,
  })
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describe(issue)).join('; ')
    throw new SyncError('config_invalid', problems)
  }
  return parsed.data
}

// the two variables already name themselves in their messages; file keys need their path
function describe(issue: z.core.$ZodIssue): string {
  const key = String(issue.path[0] ?? '')
  if (key === 'apiToken' || key === 'apiUrl') return issue.message
  return `sources.salesrabbit.${key}: ${issue.message}`
}
