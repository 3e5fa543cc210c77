import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import { SyncError } from './errors.ts'
import { parseJsonc } from './jsonc.ts'

/**
 * The configuration: environment variables (docs/design.md §5) plus the optional commented
 * `crmsync.config.json`. Parsed once, at start; every problem is reported in one message.
 */
const sourceSettingsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** re-read this many seconds before the stored cursor (late or out-of-order rows) */
    lookbackSeconds: z.number().int().nonnegative().optional(),
    /** leave the newest seconds for the next run (sources whose newest writes are not yet visible) */
    horizonSeconds: z.number().int().nonnegative().optional(),
    /** records per page (one transaction each) */
    batchSize: z.number().int().min(1).max(100_000).optional(),
    /** how often this source is expected to sync: a stream with no success in 2 × this is stale */
    expectedIntervalMinutes: z.number().positive().optional(),
  })
  .passthrough()

export type SourceFileSettings = z.infer<typeof sourceSettingsSchema>

export const configFileSchema = z
  .object({
    $schema: z.string().optional(),
    warehouse: z.object({ poolSize: z.number().int().min(2).max(200).optional() }).strict().default({}),
    sources: z.record(z.string(), sourceSettingsSchema).default({}),
    alerts: z.unknown().optional(),
    automation: z.unknown().optional(),
    server: z.unknown().optional(),
    worker: z.unknown().optional(),
  })
  .strict()

export type ConfigFile = z.infer<typeof configFileSchema>

const envSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://').optional(),
  CRMSYNC_HOME: z.string().min(1).default('.crmsync'),
  CRMSYNC_CONFIG: z.string().min(1).default('crmsync.config.json'),
  CRMSYNC_POOL_SIZE: z.coerce.number().int().min(2).max(200).optional(),
})

export interface Config {
  env: Readonly<Record<string, string | undefined>>
  databaseUrl?: string
  /** where the embedded warehouse, key file and lock live */
  home: string
  configPath: string
  configFileFound: boolean
  file: ConfigFile
  poolSize: number
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const parsedEnv = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')))
  if (!parsedEnv.success) throw new SyncError('config_invalid', `invalid environment: ${issues(parsedEnv.error)}`)
  const configPath = resolve(parsedEnv.data.CRMSYNC_CONFIG)
  let raw: unknown = {}
  const found = existsSync(configPath)
  if (found) {
    try {
      raw = parseJsonc(readFileSync(configPath, 'utf8'))
    } catch (error) {
      throw new SyncError('config_invalid', `${configPath} is not valid JSON: ${(error as Error).message}`)
    }
  }
  const file = configFileSchema.safeParse(raw)
  if (!file.success) throw new SyncError('config_invalid', `${configPath}: ${issues(file.error)}`)
  return {
    env,
    databaseUrl: parsedEnv.data.DATABASE_URL,
    home: resolve(parsedEnv.data.CRMSYNC_HOME),
    configPath,
    configFileFound: found,
    file: file.data,
    poolSize: parsedEnv.data.CRMSYNC_POOL_SIZE ?? file.data.warehouse.poolSize ?? 10,
  }
}

const issues = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')
