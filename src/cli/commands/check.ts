import { MANIFESTS, SOURCE_NAMES } from '../../connectors/registry.ts'
import { callContext } from '../../connectors/types.ts'
import { coerceError, SyncError } from '../../errors.ts'
import { loadStoredVariables } from '../../ops/credentials/load-variables.ts'
import { isSet } from '../../ops/credentials/sources.ts'
import { parseCommandArgs } from '../args.ts'
import { loadTarget, type CliContext } from '../context.ts'

export const CHECK_HELP = `crmsync check [<source>...] [--all] [--json]

Proves a source's credentials and reachability with one cheap request (no data is read or
written): the config and credentials are loaded exactly as \`crmsync sync\` loads them (the
environment, then the encrypted credential store). One line per source, e.g.

  ✓ salespro: credentials accepted, Athena reachable (database home_genius_db)
  ✗ hubspot: HubSpot refused the token (401): check HUBSPOT_API_TOKEN (…)

With no source, or --all, every configured source: one not disabled in crmsync.config.json
whose credentials are at least partly set (a source with none set is reported as skipped).

Options:
  --all     every configured source
  --json    print {"sources":[{"source","ok","detail"|"code","error"}]}

Exit codes: 0 every source answered; 1 a source could not be reached (the reason is printed);
2 bad usage, or a credential missing or refused (the variable is named, never its value).`

/** One source's outcome, as --json prints it. */
type Outcome = { source: string; ok: true; detail: string } | { source: string; ok: false; code: string; error: string }

export async function checkCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { all: { type: 'boolean', default: false } }, 'check')
  if (values.all && positionals.length) throw new SyncError('config_invalid', '--all checks every configured source; name no source with it')
  for (const source of positionals)
    if (!MANIFESTS[source]) throw new SyncError('config_invalid', `unknown source ${JSON.stringify(source)}; crmsync knows ${SOURCE_NAMES.join(', ')}`)
  const sources = positionals.length ? [...new Set(positionals)] : await configuredSources(ctx)
  if (sources.length === 0) {
    const variables = SOURCE_NAMES.flatMap((name) => MANIFESTS[name].credentials.filter((v) => v.required).map((v) => v.name))
    throw new SyncError('config_invalid', `no source is configured: set the credentials of one (${variables.join(', ')}) or store them with \`crmsync credentials set <source>\``)
  }
  // one after the other: the lines come out in a stable order and the sources are not raced
  const outcomes: Outcome[] = []
  for (const source of sources) {
    const outcome = await checkSource(ctx, source)
    outcomes.push(outcome)
    if (outcome.ok) ctx.out.line(`✓ ${source}: credentials accepted, ${outcome.detail}`)
    else if (!ctx.out.json) ctx.out.note(`✗ ${source}: ${outcome.error}`)
  }
  if (ctx.out.json) ctx.out.result({ sources: outcomes })
  return exitCode(outcomes)
}

/** Loads the source as sync does and asks its connector; any failure becomes the source's outcome. */
async function checkSource(ctx: CliContext, source: string): Promise<Outcome> {
  try {
    const target = await loadTarget(ctx, source)
    const detail = await target.connector.check(target.config, callContext(ctx.log, ctx.signal))
    return { source, ok: true, detail: detail || `${target.connector.title} reachable` }
  } catch (error) {
    const failure = coerceError(error)
    return { source, ok: false, code: failure.code, error: failure.message }
  }
}

/**
 * The sources `check` looks at by default: not disabled, and with some credential set. A source
 * with none is not configured at all and is skipped; one with some is checked, so a half-set source
 * is reported, not passed over.
 */
async function configuredSources(ctx: CliContext): Promise<string[]> {
  const configured: string[] = []
  for (const source of SOURCE_NAMES) {
    if (ctx.config.file.sources[source]?.enabled === false) continue
    const variables = await loadStoredVariables({ env: ctx.config.env, home: ctx.config.home, log: ctx.log, warehouse: () => ctx.warehouse() }, source)
    if (MANIFESTS[source].credentials.some((v) => isSet(variables[v.name]))) configured.push(source)
    else ctx.out.note(`- ${source}: not configured, skipped`)
  }
  return configured
}

/** A refused or missing credential is the user's to fix (2) and wins over a source that could not be reached (1). */
function exitCode(outcomes: readonly Outcome[]): number {
  const failed = outcomes.flatMap((o) => (o.ok ? [] : [o]))
  if (failed.some((o) => o.code === 'auth_failed' || o.code === 'config_invalid')) return 2
  return failed.length ? 1 : 0
}
