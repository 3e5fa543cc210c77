import { manifests } from '../../connectors/registry.ts'
import type { CredentialVariable } from '../../connectors/manifest.ts'
import { SyncError } from '../../errors.ts'

export type { CredentialVariable } from '../../connectors/manifest.ts'

/**
 * Which variables each source's credentials are (its manifest's `credentials`): what
 * `credentials set` asks for and stores, and what the store may fill in when the environment
 * leaves them unset. Endpoint overrides for the emulators (SALESPRO_ATHENA_ENDPOINT,
 * HUBSPOT_BASE_URL…) stay environment-only: they say where to connect, not who we are.
 */
// no prototype: looked up with a source name from the command line (`credentials set toString`)
export const CREDENTIAL_SOURCES: Readonly<Record<string, readonly CredentialVariable[]>> = Object.assign(
  Object.create(null),
  Object.fromEntries(manifests().map((manifest) => [manifest.name, manifest.credentials])),
)

export const CREDENTIAL_SOURCE_NAMES = Object.keys(CREDENTIAL_SOURCES)

/** The variables of a source, or config_invalid naming the sources there are. */
export function credentialVariables(source: string | undefined): readonly CredentialVariable[] {
  const variables = source === undefined ? undefined : CREDENTIAL_SOURCES[source]
  if (!variables) {
    const known = CREDENTIAL_SOURCE_NAMES.join(', ')
    if (!source) throw new SyncError('config_invalid', `name a source (${known})`)
    const name = JSON.stringify(source)
    throw new SyncError('config_invalid', `unknown source ${name}; credentials can be stored for ${known}`)
  }
  return variables
}

/** True for a value an environment variable really provides (an empty one counts as unset, as in config.ts). */
export const isSet = (value: string | undefined): value is string => value !== undefined && value !== ''

export const isSecretVariable = (name: string): boolean =>
  Object.values(CREDENTIAL_SOURCES).some((vars) => vars.some((v) => v.name === name && v.secret))
