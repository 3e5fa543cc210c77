import { z } from 'zod'
import { SyncError } from '../../errors.ts'

/** Burst limits per 10 seconds by HubSpot subscription tier (source-apis.md §3.2). */
export const TIER_LIMITS = { starter: 100, professional: 190, enterprise: 190 } as const

const STREAM_NAME = /^[a-z][a-z0-9_]{0,62}$/

const customObjectSchema = z.object({
  /** HubSpot's objectTypeId: custom object names are no longer accepted in paths */
  objectType: z.string().regex(/^2-\d+$/, 'a custom objectType looks like 2-12345'),
  /** the stream (and warehouse table) name */
  name: z.string().regex(STREAM_NAME, 'a stream name is lower_snake_case'),
}).strict()

const associationSchema = z.object({
  name: z.string().regex(STREAM_NAME, 'a stream name is lower_snake_case'),
  /** the object type the links are read from (its ids are listed) */
  from: z.string().min(1),
  to: z.string().min(1),
}).strict()

const limitsSchema = z
  .object({
    tier: z.enum(['starter', 'professional', 'enterprise']).optional(),
    /** ordinary (non-search) requests per rolling 10 seconds */
    tenSecondly: z.number().int().positive().optional(),
    /** search requests per second (search has its own budget) */
    searchPerSecond: z.number().int().positive().optional(),
    /** requests this tool may make per UTC day; unset = only HubSpot's own daily limit applies */
    daily: z.number().int().positive().optional(),
  })
  .strict()
  .transform(({ tier, tenSecondly, searchPerSecond, daily }) => ({
    tenSecondly: tenSecondly ?? (tier ? TIER_LIMITS[tier] : 100),
    searchPerSecond: searchPerSecond ?? 5,
    daily,
  }))

export type HubSpotLimits = z.output<typeof limitsSchema>

export const DEFAULT_CUSTOM_OBJECTS = [
  { objectType: '2-37778609', name: 'divisions' },
  { objectType: '2-42119425', name: 'genius_users' },
]

export const DEFAULT_ASSOCIATIONS = [
  { name: 'assoc_contact_appointment', from: 'contacts', to: '0-421' },
  { name: 'assoc_contact_division', from: 'contacts', to: '2-37778609' },
  { name: 'assoc_deal_contact', from: 'deals', to: 'contacts' },
  { name: 'assoc_deal_company', from: 'deals', to: 'companies' },
]

export const hubSpotConfigSchema = z.object({
  apiToken: z.string({ error: 'HUBSPOT_API_TOKEN is not set' }).min(1, 'HUBSPOT_API_TOKEN is empty'),
  baseUrl: z.url({ error: 'HUBSPOT_BASE_URL is not a URL' }).default('https://api.hubapi.com'),
  customObjects: z.array(customObjectSchema).default(DEFAULT_CUSTOM_OBJECTS),
  /** per object stream: every property ("all") or only the listed ones */
  properties: z.record(z.string(), z.union([z.literal('all'), z.array(z.string().min(1)).min(1)])).default({}),
  limits: limitsSchema.default({ tenSecondly: 100, searchPerSecond: 5, daily: undefined }),
  associations: z.array(associationSchema).default(DEFAULT_ASSOCIATIONS),
  /** a request that has not answered after this long is abandoned and retried */
  requestTimeoutMs: z.number().int().positive().default(60_000),
  /** list URLs longer than this split their properties (HubSpot answers 414 at about 15,000) */
  maxUrlLength: z.number().int().min(500).default(12_000),
})

export type HubSpotConfig = z.output<typeof hubSpotConfigSchema>

/**
 * The keys of `sources.hubspot` in crmsync.config.json that this connector reads (beside the
 * engine's own settings); config.ts refuses any other key, at any depth. The token is never here.
 */
export const hubSpotFileShape = {
  baseUrl: z.string().optional(),
  customObjects: z.array(customObjectSchema).optional(),
  properties: z.unknown().optional(),
  limits: limitsSchema.optional(),
  associations: z.array(associationSchema).optional(),
  requestTimeoutMs: z.unknown().optional(),
  maxUrlLength: z.unknown().optional(),
}

/**
 * Reads the config from the environment (the original system's variable names, docs/design.md §5)
 * and `sources.hubspot` of crmsync.config.json, and reports every problem in one message.
 */
export function loadHubSpotConfig(
  vars: Readonly<Record<string, string | undefined>>,
  fileSection: unknown,
): HubSpotConfig {
  const file = fileSection === undefined || fileSection === null ? {} : fileSection
  if (typeof file !== 'object' || Array.isArray(file)) {
    throw new SyncError('config_invalid', 'hubspot is not configured: sources.hubspot must be an object')
  }
  const parsed = hubSpotConfigSchema.safeParse({
    ...file,
    apiToken: vars.HUBSPOT_API_TOKEN || undefined,
    baseUrl: vars.HUBSPOT_BASE_URL || (file as { baseUrl?: unknown }).baseUrl || undefined,
  })
  if (!parsed.success) {
    // the environment's own messages name their variable; file problems name their place
    const fromFile = (path: readonly PropertyKey[]) =>
      path.length > 0 && path[0] !== 'apiToken' && path[0] !== 'baseUrl'
    const problems = parsed.error.issues.map((issue) =>
      fromFile(issue.path) ? `sources.hubspot.${issue.path.join('.')}: ${issue.message}` : issue.message,
    )
    throw new SyncError('config_invalid', `hubspot is not configured: ${problems.join('; ')}`)
  }
  const problems: string[] = []
  const custom = parsed.data.customObjects.map((c) => c.name)
  const names = [...custom, ...parsed.data.associations.map((a) => a.name)]
  const twice = names.filter((n, i) => names.indexOf(n) !== i || BUILT_IN_STREAMS.includes(n))
  for (const name of new Set(twice)) problems.push(`the stream name ${name} is used twice`)
  const objects = [...OBJECT_STREAMS, ...custom]
  for (const name of Object.keys(parsed.data.properties)) {
    if (objects.includes(name)) continue
    problems.push(`sources.hubspot.properties.${name}: no object stream has that name (${objects.join(', ')})`)
  }
  if (problems.length) {
    throw new SyncError('config_invalid', `hubspot is not configured: ${problems.join('; ')}`)
  }
  return parsed.data
}

const OBJECT_STREAMS = ['contacts', 'companies', 'deals', 'appointments']
const BUILT_IN_STREAMS = [...OBJECT_STREAMS, 'owners']
