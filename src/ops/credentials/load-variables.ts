import { SyncError } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import type { Warehouse } from '../../warehouse/types.ts'
import { hasMasterKey, keyFilePath } from './master-key.ts'
import { CREDENTIAL_SOURCES, isSet } from './sources.ts'
import { getCredentials, hasCredentials } from './store.ts'

type Env = Readonly<Record<string, string | undefined>>

export interface StoredVariablesOptions {
  /** the process environment (ctx.config.env): its values win over stored ones */
  env: Env
  /** CRMSYNC_HOME, where master.key lives */
  home: string
  log: Logger
  /** the warehouse, opened only when the environment leaves some credential of the source unset */
  warehouse: () => Promise<Warehouse>
}

let announced = false

/**
 * The variables a source's connector reads (`connector.loadConfig(vars, …)`): the environment,
 * with the source's stored credentials filling in what it leaves unset. Environment values win, so
 * a one-off `SALESPRO_SECRET_ACCESS_KEY=… crmsync sync salespro` still overrides the store.
 *
 * Without a master key crmsync degrades to environment-only, and says so in one log line per
 * process; stored rows with no key to open them are config_invalid naming the missing key.
 */
export async function loadStoredVariables(options: StoredVariablesOptions, source: string): Promise<Env> {
  const { env, home, log } = options
  const variables = CREDENTIAL_SOURCES[source]
  // a source the store does not know: loadTarget reports unknown sources itself
  if (!variables) return env
  const keyConfigured = hasMasterKey(home, env)
  // everything is in the environment, which would win anyway: no need to open the warehouse
  if (variables.every((v) => isSet(env[v.name]))) {
    if (!keyConfigured) announceEnvironmentOnly(log)
    return env
  }
  const warehouse = await options.warehouse()
  if (!keyConfigured) {
    if (await hasCredentials({ warehouse }, source)) {
      throw new SyncError(
        'config_invalid',
        `the credentials of ${source} are stored encrypted in crmsync.credentials, ` +
          `but the master key that opens them is missing: set CRMSYNC_MASTER_KEY, or restore ${keyFilePath(home)}`,
      )
    }
    announceEnvironmentOnly(log)
    return env
  }
  const stored = await getCredentials({ warehouse, home, env, log }, source)
  if (!stored) return env
  const filled = Object.keys(stored).filter((name) => !isSet(env[name]))
  log.debug({ source, variables: filled }, 'credentials read from the credential store')
  return { ...env, ...Object.fromEntries(filled.map((name) => [name, stored[name]])) }
}

function announceEnvironmentOnly(log: Logger): void {
  if (announced) return
  announced = true
  log.info(
    'credentials come from the environment: no credential store is set up ' +
      '(`crmsync init`, then `crmsync credentials set <source>`, keeps them encrypted in the warehouse)',
  )
}
