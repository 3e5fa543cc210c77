import { join } from 'node:path'
import { loadConfig, type Config } from '../config.ts'
import { CONNECTORS, manifests, SOURCE_NAMES } from '../connectors/registry.ts'
import { createEngineEvents, type EngineEvents } from '../engine/events.ts'
import type { SyncTarget } from '../engine/run-sync.ts'
import { SyncError } from '../errors.ts'
import { createLogger, registerSecret, type Logger } from '../log.ts'
import { migrate, type MigrationResult } from '../warehouse/migrate.ts'
import type { Warehouse } from '../warehouse/types.ts'
import { retryDelay } from '../ops/automation/retry-rules.ts'
import type { RetryPolicy } from '../engine/run-stream.ts'
import { loadStoredVariables } from '../ops/credentials/load-variables.ts'
import { describeOpenFailure } from '../warehouse/open-failure.ts'
import { ensureWritableDirectory } from '../writable-directory.ts'
import { humanLogStream } from './log-format.ts'
import { createOutput, type Output } from './output.ts'

/** Environment variables whose values are secrets (each source's, by its manifest): registered with the log redactor at start. */
const SECRET_VARIABLES = [
  ...manifests().flatMap((m) => m.credentials.filter((v) => v.secret).map((v) => v.name)),
  'CRMSYNC_MASTER_KEY',
  'CRMSYNC_DASHBOARD_TOKEN',
]

/** Everything a command needs, wired by hand: the CLI is the composition root. */
export interface CliContext {
  config: Config
  log: Logger
  out: Output
  events: EngineEvents
  /** aborted on the first SIGINT/SIGTERM: commands finish the page in hand and stop */
  signal: AbortSignal
  /** the warehouse, opened and migrated on first use */
  warehouse(): Promise<Warehouse>
  migration?: MigrationResult
  /** cleanups run when the command ends, last registered first */
  releasers: (() => Promise<void>)[]
  /** the automation engine's retry rules, handed to the engine */
  retry: RetryPolicy
}

export function createContext(flags: { json: boolean; debug: boolean; command?: string }, env: NodeJS.ProcessEnv = process.env): CliContext {
  // init writes the config file CRMSYNC_CONFIG names; every other command needs it to be there
  const config = loadConfig(env, { requireNamedFile: flags.command !== 'init' })
  for (const name of SECRET_VARIABLES) registerSecret(env[name])
  if (config.databaseUrl) registerSecret(safePassword(config.databaseUrl))
  const out = createOutput(flags.json)
  const level = flags.debug ? 'debug' : out.isTTY ? 'warn' : 'info'
  // logs go to stderr, readable when a person watches it (even with stdout redirected to a file),
  // JSON lines when a program collects it
  const log = createLogger({ level, destination: process.stderr.isTTY ? humanLogStream(process.stderr, () => progressHooks.clear?.()) : 2 })
  const controller = new AbortController()
  const stop = (signal: string) => {
    if (controller.signal.aborted) {
      out.note(`${signal} again: exiting now`)
      process.exit(130)
    }
    out.note(`${signal}: finishing the page in hand, then stopping (press again to exit at once)`)
    controller.abort()
  }
  // on, not once: a second signal must reach stop(), which then exits at once
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  let opened: Promise<Warehouse> | undefined
  const ctx: CliContext = {
    config,
    log,
    out,
    events: createEngineEvents(),
    signal: controller.signal,
    releasers: [],
    // CRMSYNC_RETRY_SCALE shrinks every backoff, so tests of retry paths do not wait minutes
    retry: (error, attempt) => retryDelay(error, attempt, { scale: Number(env.CRMSYNC_RETRY_SCALE ?? 1) }),
    warehouse() {
      opened ??= (async () => {
        // each driver is loaded only when used: PGlite's module alone is ~40 MB of a process's memory
        // checked first: the embedded warehouse lives there, and PGlite's own errors about it are obscure
        if (!config.databaseUrl) ensureWritableDirectory(config.home, { setting: 'CRMSYNC_HOME' })
        const warehouse = config.databaseUrl
          ? (await import('../warehouse/postgres.ts')).openPostgres({ connectionString: config.databaseUrl, max: config.poolSize })
          : await (await import('../warehouse/pglite.ts')).openPglite({ dataDir: join(config.home, 'pgdata') })
        ctx.releasers.push(() => warehouse.close())
        try {
          ctx.migration = await migrate(warehouse)
        } catch (error) {
          throw describeOpenFailure(error, warehouse.location)
        }
        if (ctx.migration.applied.length) log.info({ applied: ctx.migration.applied }, 'warehouse schema migrated')
        if (!config.databaseUrl) {
          // no other process can open the embedded warehouse meanwhile: `status` reads what this one publishes
          const { publishStatusSnapshots } = await import('./status-snapshot.ts')
          const stopPublishing = publishStatusSnapshots(warehouse, config.home, {
            onError: (error) => log.debug({ err: error }, 'the status snapshot could not be written'),
          })
          // registered after close, so they run before it (releasers run last registered first)
          ctx.releasers.push(stopPublishing)
          const { tidyEmbeddedWarehouseOnClose } = await import('./embedded-upkeep.ts')
          ctx.releasers.push(tidyEmbeddedWarehouseOnClose(warehouse, ctx.events, log))
        }
        return warehouse
      })()
      return opened
    },
  }
  return ctx
}

/** Lets the progress display clear its line before a log line is printed. */
export const progressHooks: { clear?: () => void } = {}

export async function release(ctx: CliContext): Promise<void> {
  for (const releaser of ctx.releasers.reverse()) await releaser().catch((error) => ctx.log.warn({ err: error }, 'cleanup failed'))
}

/** The streams a source has, from the config file alone (no credentials needed), when it can tell. */
export async function streamNamesOf(ctx: CliContext, source: string): Promise<readonly string[] | undefined> {
  const load = CONNECTORS[source]
  return load && (await load()).streamNames?.(ctx.config.file.sources[source])
}

/**
 * Refuses a stream the source does not have, from its config section alone (no credentials, no
 * request): a typo must neither start nor be recorded as a failed run under its name, which would
 * then stand in status, the dashboard and alerts as a stream of its own.
 */
export async function checkStreamNames(ctx: CliContext, source: string, streams: readonly string[]): Promise<void> {
  const names = streams.length ? await streamNamesOf(ctx, source) : undefined
  if (!names) return
  const unknown = streams.find((s) => !names.includes(s))
  if (unknown !== undefined) throw new SyncError('config_invalid', `${source} has no stream ${JSON.stringify(unknown)}; its streams are ${names.join(', ')}`)
}

/** Loads one source's connector config (env + config file section) and settings. */
export async function loadTarget(ctx: CliContext, source: string, streams?: string[]): Promise<SyncTarget> {
  const load = CONNECTORS[source]
  if (!load) throw new SyncError('config_invalid', `unknown source ${JSON.stringify(source)}; crmsync knows ${SOURCE_NAMES.join(', ')}`)
  const connector = await load()
  const section = ctx.config.file.sources[source] ?? {}
  // the environment wins; the encrypted credential store fills what it leaves unset
  const variables = await loadStoredVariables({ env: ctx.config.env, home: ctx.config.home, log: ctx.log, warehouse: () => ctx.warehouse() }, source)
  const config = connector.loadConfig(variables, section)
  for (const secret of connector.secrets(config)) registerSecret(secret)
  return {
    connector,
    config,
    streams,
    settings: {
      lookbackSeconds: section.lookbackSeconds ?? connector.defaults.lookbackSeconds,
      horizonSeconds: section.horizonSeconds ?? connector.defaults.horizonSeconds,
      batchSize: section.batchSize ?? connector.defaults.batchSize,
      timeZone: section.timeZone,
      streams: section.streams,
    },
  }
}

function safePassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined
  } catch {
    return undefined
  }
}
