import { CONNECTORS } from '../../connectors/registry.ts'
import { SyncError } from '../../errors.ts'
import { createHiddenPrompt } from '../../ops/credentials/hidden-prompt.ts'
import { describeKey, resolveMasterKey, type MasterKey } from '../../ops/credentials/master-key.ts'
import { rotateMasterKey } from '../../ops/credentials/rotate.ts'
import {
  CREDENTIAL_SOURCES,
  credentialVariables,
  isSet,
  type CredentialVariable,
} from '../../ops/credentials/sources.ts'
import {
  deleteCredentials,
  getCredentials,
  listCredentials,
  noMasterKey,
  setCredentials,
  type CredentialStore,
} from '../../ops/credentials/store.ts'
import { parseCommandArgs } from '../args.ts'
import type { CliContext } from '../context.ts'
import { table } from '../output.ts'

const describeVariable = (v: CredentialVariable) => `${v.name}${v.secret ? '*' : ''}${v.required ? '' : ' (optional)'}`
const variableList = Object.entries(CREDENTIAL_SOURCES)
  .map(([source, vars]) => `  ${source.padEnd(12)} ${vars.map(describeVariable).join(', ')}`)
  .join('\n')

export const CREDENTIALS_HELP = `crmsync credentials set <source> [--from-env]
crmsync credentials list [--json]
crmsync credentials delete <source>
crmsync credentials rotate-key [--json]

Keeps the sources' credentials encrypted in the warehouse (crmsync.credentials, AES-256-GCM) under
a master key: CRMSYNC_MASTER_KEY (32 bytes as base64 or hex) or the file <CRMSYNC_HOME>/master.key
(mode 0600) that \`crmsync init\` creates. A sync takes each variable from the environment when it
is set there, and from the store otherwise. With no master key, credentials come from the
environment only.

  set <source>             asks for each variable on the terminal, without echo; a blank answer
                           keeps the stored value
  set <source> --from-env  stores the source's variables that are set in the environment; the
                           others keep their stored values
  list                     what is stored, by source and variable; secret values are never shown
  delete <source>          forgets the stored credentials of a source
  rotate-key               re-encrypts every stored secret under a new master key, in one
                           transaction, then replaces master.key. With CRMSYNC_MASTER_KEY, the new
                           key is written to <CRMSYNC_HOME>/master.key.new (mode 0600) for you to
                           copy into CRMSYNC_MASTER_KEY; it is never printed.

Variables (* secret: masked, and redacted from every log line):
${variableList}
Endpoint overrides (SALESPRO_ATHENA_ENDPOINT, HUBSPOT_BASE_URL…) stay in the environment.

Examples:
  crmsync init && crmsync credentials set salespro
  SALESRABBIT_API_TOKEN=… crmsync credentials set salesrabbit --from-env
  crmsync credentials list --json`

const ACTIONS = ['set', 'list', 'delete', 'rotate-key']

export async function credentialsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const options = { 'from-env': { type: 'boolean', default: false } } as const
  const { values, positionals } = parseCommandArgs(argv, options, 'credentials')
  const [action, ...args] = positionals
  const actions = ACTIONS.join(', ')
  if (!action) throw usage(`name an action: ${actions}`)
  if (!ACTIONS.includes(action)) throw usage(`unknown action ${JSON.stringify(action)}; the actions are ${actions}`)
  if (values['from-env'] && action !== 'set') throw usage('--from-env goes with `credentials set <source>`')
  const takesSource = action === 'set' || action === 'delete'
  const sources = Object.keys(CREDENTIAL_SOURCES).join(', ')
  if (takesSource && args.length !== 1) throw usage(`\`credentials ${action}\` takes one source (${sources})`)
  if (!takesSource && args.length) {
    throw usage(`\`credentials ${action}\` takes no arguments, not ${JSON.stringify(args.join(' '))}`)
  }
  const source = args[0]
  const fromEnv = values['from-env'] ?? false
  // usage and setup problems are reported before the warehouse is opened
  if (takesSource) credentialVariables(source)
  const { home, env } = ctx.config
  const key = resolveMasterKey(home, env)
  if (action === 'set') assertCanSet(source, fromEnv, key !== undefined, home)
  const store: CredentialStore = { warehouse: await ctx.warehouse(), home, env, log: ctx.log }
  if (action === 'set') return setAction(ctx, store, source, fromEnv)
  if (action === 'delete') return deleteAction(ctx, store, source)
  if (action === 'list') return listAction(ctx, store, key)
  return rotateAction(ctx, store)
}

const usage = (message: string) =>
  new SyncError('config_invalid', `${message}. Run \`crmsync credentials --help\` for the options.`)

// checked before asking anything: nobody should type secrets only to be told there is nowhere to keep them
function assertCanSet(source: string, fromEnv: boolean, hasKey: boolean, home: string): void {
  if (!hasKey) throw noMasterKey(home, `storing the credentials of ${source} needs a master key`)
  if (!fromEnv && !process.stdin.isTTY) {
    throw usage(
      'standard input is not a terminal, so there is nobody to ask: set the variables in the environment ' +
        `and run \`crmsync credentials set ${source} --from-env\``,
    )
  }
}

async function setAction(ctx: CliContext, store: CredentialStore, source: string, fromEnv: boolean): Promise<number> {
  const variables = credentialVariables(source)
  const current = (await getCredentials(store, source)) ?? {}
  const given = fromEnv ? fromEnvironment(ctx, source, variables) : await ask(current, variables)
  const stored = { ...current, ...given }
  const missing = variables.filter((v) => v.required && !isSet(stored[v.name])).map((v) => v.name)
  if (missing.length) {
    throw new SyncError('config_invalid', `${source} needs ${missing.join(', ')}: nothing was stored`)
  }
  await checkWithConnector(ctx, source, stored)
  const { keyId } = await setCredentials(store, source, stored)
  const updated = Object.keys(given)
  const kept = Object.keys(current).filter((name) => !updated.includes(name))
  if (ctx.out.json) {
    ctx.out.result({ source, stored: Object.keys(stored).sort(), updated, kept, keyId })
    return 0
  }
  const keptText = kept.length ? `; kept ${kept.join(', ')}` : ''
  ctx.out.line(`${source}: stored ${updated.join(', ') || 'nothing new'}${keptText} (encrypted with master key ${keyId})`)
  const shadowed = fromEnv ? [] : Object.keys(stored).filter((name) => isSet(store.env[name]))
  if (shadowed.length) {
    ctx.out.note(`note: the environment also sets ${shadowed.join(', ')}, and environment values win over stored ones`)
  }
  return 0
}

function fromEnvironment(
  ctx: CliContext,
  source: string,
  variables: readonly CredentialVariable[],
): Record<string, string> {
  const given: Record<string, string> = {}
  for (const { name } of variables) {
    const value = ctx.config.env[name]
    if (isSet(value)) given[name] = value
  }
  if (Object.keys(given).length === 0) {
    const names = variables.map((v) => v.name).join(', ')
    throw new SyncError('config_invalid', `--from-env found none of ${names} in the environment: nothing was stored for ${source}`)
  }
  return given
}

async function ask(
  current: Record<string, string>,
  variables: readonly CredentialVariable[],
): Promise<Record<string, string>> {
  const prompt = createHiddenPrompt(process.stdin, process.stderr)
  const given: Record<string, string> = {}
  try {
    process.stderr.write('Typing is not echoed. A blank answer keeps the stored value.\n')
    for (const v of variables) {
      const now = current[v.name]
      const hint = now === undefined ? (v.required ? '' : ' (optional)') : v.secret ? ' [stored]' : ` [${now}]`
      const answer = (await prompt.ask(`${v.name}${hint}: `)).trim()
      if (answer) given[v.name] = answer
    }
  } finally {
    prompt.close()
  }
  return given
}

// a value the connector would refuse (a malformed S3 location) is caught now, not at the next sync
async function checkWithConnector(ctx: CliContext, source: string, variables: Record<string, string>): Promise<void> {
  const load = CONNECTORS[source]
  if (!load) return
  try {
    ;(await load()).loadConfig(variables, ctx.config.file.sources[source] ?? {})
  } catch (error) {
    if (error instanceof SyncError) throw new SyncError(error.code, `${error.message}: nothing was stored`)
    throw error
  }
}

async function deleteAction(ctx: CliContext, store: CredentialStore, source: string): Promise<number> {
  const deleted = await deleteCredentials(store, source)
  if (ctx.out.json) ctx.out.result({ source, deleted })
  else if (deleted) ctx.out.line(`deleted the stored credentials of ${source}`)
  else ctx.out.line(`${source} had no stored credentials: nothing to delete`)
  return 0
}

async function listAction(ctx: CliContext, store: CredentialStore, key: MasterKey | undefined): Promise<number> {
  const entries = []
  for (const summary of await listCredentials(store)) {
    let values: Record<string, string> = {}
    let error: string | null = null
    try {
      values = (await getCredentials(store, summary.source)) ?? {}
    } catch (failure) {
      error = (failure as Error).message
    }
    const spec = CREDENTIAL_SOURCES[summary.source] ?? []
    const variables = summary.variables.map((name) => {
      const secret = spec.find((v) => v.name === name)?.secret ?? true
      // secrets are never shown, not even in part: a masked prefix is still part of the secret
      const value = secret ? null : (values[name] ?? null)
      return { name, secret, value, fromEnvironment: isSet(store.env[name]) }
    })
    entries.push({ source: summary.source, keyId: summary.keyId, updatedAt: summary.updatedAt, variables, error })
  }
  const masterKey = key ? { keyId: key.keyId, from: describeKey(key) } : null
  if (ctx.out.json) {
    ctx.out.result({ masterKey, credentials: entries })
    return 0
  }
  if (masterKey) ctx.out.line(`master key: ${masterKey.keyId} (${masterKey.from})`)
  else ctx.out.line('master key: none (`crmsync init` creates one)')
  if (entries.length === 0) {
    ctx.out.line('no credentials are stored: `crmsync credentials set <source>` stores them')
    return 0
  }
  const rows = entries.flatMap((e) =>
    e.variables.map((v, i) => [
      i === 0 ? e.source : '',
      v.name,
      `${v.secret ? '********' : (v.value ?? '(sealed)')}${v.fromEnvironment ? '  (the environment overrides it)' : ''}`,
      i === 0 ? e.updatedAt.toISOString().slice(0, 19).replace('T', ' ') : '',
      i === 0 ? e.keyId : '',
    ]),
  )
  ctx.out.line()
  ctx.out.line(table(['source', 'variable', 'value', 'updated (UTC)', 'master key'], rows))
  for (const e of entries.filter((x) => x.error)) ctx.out.note(`${e.source}: ${e.error}`)
  return 0
}

async function rotateAction(ctx: CliContext, store: CredentialStore): Promise<number> {
  const result = await rotateMasterKey(store)
  if (ctx.out.json) {
    ctx.out.result(result)
    return 0
  }
  const what = result.sources.length ? `the credentials of ${result.sources.join(', ')}` : 'nothing (no credentials are stored)'
  ctx.out.line(`re-encrypted ${what} under a new master key ${result.keyId} (was ${result.previousKeyId})`)
  if (result.outcome === 'replaced') {
    ctx.out.line(`${result.keyFile} now holds the new key; the old one is gone`)
    return 0
  }
  const path = result.keyFile
  ctx.out.line(`the new key is in ${path} (mode 0600); it is not printed. Set CRMSYNC_MASTER_KEY from that file, e.g.`)
  ctx.out.line(`  export CRMSYNC_MASTER_KEY="$(cat ${path})"`)
  ctx.out.line('wherever crmsync runs, then delete the file. Until then crmsync opens the credentials with that file.')
  return 0
}
