import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { z } from 'zod'
import { SyncError } from './errors.ts'
import { describeConfigIssues } from './config-issues.ts'
import { PG_TYPES } from './columns.ts'
import { SOURCE_FILE_SHAPES, SOURCE_NAMES } from './connectors/registry.ts'
import { parseJsonc, jsoncKeyLines } from './jsonc.ts'
import { alertsConfigSchema } from './ops/alerts/config.ts'
import { serverSectionSchema } from './server/server-config.ts'
import { workerConfigSchema } from './worker/config.ts'

/**
 * The configuration: environment variables (docs/design.md §5) plus the optional commented
 * `crmsync.config.json`. Parsed once, at start; every problem is reported in one message.
 */
const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** A stream's schema contract (docs/design.md §3.12): how its table follows the source's shape. */
const streamContractSchema = z
  .object({
    /** evolve: new fields become columns, changed types widen them; freeze: a change fails the run; discard_new: new fields stay in _raw */
    schema: z.enum(['evolve', 'freeze', 'discard_new']).default('evolve'),
    /** pinned column types, or "ignore" to keep a field out of the table */
    columns: z.record(z.string().min(1), z.enum([...PG_TYPES, 'ignore'])).default({}),
    /** keep every version of every row in <schema>.<table>__history (README "History mode") */
    history: z.boolean().default(false),
    /** slim: `_raw` keeps only what the typed columns cannot give back, for rows the byte lane writes (README "Slim `_raw`") */
    raw: z.enum(['whole', 'slim']).default('whole'),
  })
  .strict()

export type StreamContractSettings = z.infer<typeof streamContractSchema>

const engineSettingsShape = {
  enabled: z.boolean().default(true),
  /** re-read this many seconds before the stored cursor (late or out-of-order rows) */
  lookbackSeconds: z.number().int().nonnegative().optional(),
  /** leave the newest seconds for the next run (sources whose newest writes are not yet visible) */
  horizonSeconds: z.number().int().nonnegative().optional(),
  /** records per page asked of the source, and the least records per commit (the engine's `pageSize` and `commitRows`) */
  batchSize: z.number().int().min(1).max(100_000).optional(),
  /** how often this source is expected to sync: a stream with no success in 2 × this is stale */
  expectedIntervalMinutes: z.number().positive().optional(),
  /** the zone the source writes timestamps without a zone in (IANA name); UTC by default */
  timeZone: z.string().refine(isTimeZone, 'not a time zone: use an IANA name such as "UTC" or "America/Denver"').optional(),
  /** per-stream schema contracts, by stream name */
  streams: z.record(z.string().min(1), streamContractSchema).optional(),
}

/** A source's section: the engine's settings plus its connector's own keys, and nothing else. */
const sourceSettingsSchema = (source: string) => z.object({ ...engineSettingsShape, ...SOURCE_FILE_SHAPES[source] }).strict()

export type SourceFileSettings = z.infer<ReturnType<typeof sourceSettingsSchema>>

export const configFileSchema = z
  .object({
    $schema: z.string().optional(),
    warehouse: z.object({ poolSize: z.number().int().min(2).max(200).optional() }).strict().default({}),
    // a misspelled source would otherwise be a section nothing reads
    sources: (
      z.object(Object.fromEntries(SOURCE_NAMES.map((name) => [name, sourceSettingsSchema(name).optional()]))).strict() as unknown as z.ZodType<
        Record<string, SourceFileSettings>
      >
    ).default({}),
    // the sections below are read (and their values checked again) by the parts that own them;
    // their shapes are checked here too, so every mistake in the file is reported at start
    alerts: z.unknown().optional(),
    automation: z.unknown().optional(),
    server: z.unknown().optional(),
    worker: z.unknown().optional(),
  })
  .strict()

export type ConfigFile = z.infer<typeof configFileSchema>

/** The owned sections' own schemas, checked at start with the rest of the file. */
const SECTION_SCHEMAS: Record<string, z.ZodType> = { alerts: alertsConfigSchema, server: serverSectionSchema, worker: workerConfigSchema }

const envSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://').optional(),
  CRMSYNC_HOME: z.string().min(1).default('.crmsync'),
  CRMSYNC_CONFIG: z.string().min(1).optional(),
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

export interface LoadConfigOptions {
  /**
   * true when a config file that CRMSYNC_CONFIG names must exist (every command but `init`, which
   * creates it). The default file, ./crmsync.config.json, is always optional.
   */
  requireNamedFile?: boolean
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, options: LoadConfigOptions = {}): Config {
  const parsedEnv = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')))
  if (!parsedEnv.success) throw new SyncError('config_invalid', `invalid environment: ${issues(parsedEnv.error)}`)
  const configPath = resolve(parsedEnv.data.CRMSYNC_CONFIG ?? 'crmsync.config.json')
  let raw: unknown = {}
  let text = ''
  const found = existsSync(configPath)
  if (found) {
    try {
      text = readFileSync(configPath, 'utf8')
      raw = parseJsonc(text)
    } catch (error) {
      throw new SyncError('config_invalid', `${configPath} is not valid JSON: ${(error as Error).message}`)
    }
  } else if (parsedEnv.data.CRMSYNC_CONFIG && options.requireNamedFile) {
    throw new SyncError(
      'config_invalid',
      `CRMSYNC_CONFIG names ${configPath}, which does not exist: correct CRMSYNC_CONFIG, unset it, or run \`crmsync init\` to write a commented default there`,
    )
  }
  const file = configFileSchema.safeParse(raw)
  const problems: string[] = []
  const lines = jsoncKeyLines(text)
  if (!file.success) problems.push(...describeConfigIssues({ issues: file.error.issues, schema: configFileSchema, file: configPath, lines }))
  for (const [section, schema] of Object.entries(SECTION_SCHEMAS)) {
    const value = (raw as Record<string, unknown> | null)?.[section]
    const checked = value === undefined ? undefined : schema.safeParse(value)
    if (checked && !checked.success) {
      const nested = checked.error.issues.map((issue) => ({ ...issue, path: [section, ...issue.path] }))
      problems.push(...describeConfigIssues({ issues: nested, schema: z.object({ [section]: schema }), file: configPath, lines }))
    }
  }
  if (problems.length || !file.success)
    throw new SyncError('config_invalid', `${configPath} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n  ${problems.join('\n  ')}`)
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
