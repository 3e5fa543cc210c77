import { SOURCE_NAMES } from '../../connectors/registry.ts'
import { writeDefaultConfig } from '../../ops/credentials/default-config.ts'
import { ensureMasterKey } from '../../ops/credentials/master-key.ts'
import { quoteIdent } from '../../warehouse/identifiers.ts'
import { ensureWritableDirectory } from '../../writable-directory.ts'
import { parseCommandArgs } from '../args.ts'
import type { CliContext } from '../context.ts'

export const INIT_HELP = `crmsync init [--json]

Prepares crmsync: the warehouse schemas and crmsync's own tables, the job queue for workers (with DATABASE_URL), the master key that encrypts stored
credentials (a 0600 file under ./.crmsync/, unless CRMSYNC_MASTER_KEY is set) and a commented
crmsync.config.json. Safe to run again: it says what it created and what already existed.
Uses DATABASE_URL when set, otherwise the embedded warehouse under ./.crmsync/.`

export interface InitReport {
  warehouse: string
  created: string[]
  existing: string[]
}

export async function initCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {}, 'init', { positionals: false })
  const report: InitReport = { warehouse: '', created: [], existing: [] }
  // the master key file goes there: a home that cannot take it is reported before anything is created
  if (!ctx.config.env.CRMSYNC_MASTER_KEY) ensureWritableDirectory(ctx.config.home, { setting: 'CRMSYNC_HOME' })
  const warehouse = await ctx.warehouse()
  report.warehouse = warehouse.location
  for (const name of ctx.migration?.applied ?? []) report.created.push(`migration ${name}`)
  for (const name of ctx.migration?.alreadyApplied ?? []) report.existing.push(`migration ${name}`)
  for (const schema of SOURCE_NAMES) {
    const { rows } = await warehouse.query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS found`, [schema])
    if (rows[0].found) report.existing.push(`schema ${schema}`)
    else {
      await warehouse.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`)
      report.created.push(`schema ${schema}`)
    }
  }
  if (ctx.config.databaseUrl) {
    // the job queue of `crmsync worker`: created here so that workers starting together do not race to create it
    const { openQueue, QUEUE_SCHEMA } = await import('../../worker/queue.ts')
    const { rows } = await warehouse.query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS found`, [QUEUE_SCHEMA])
    const queue = await openQueue(ctx.config.databaseUrl, ctx.log)
    await queue.close()
    ;(rows[0].found ? report.existing : report.created).push(`job queue ${QUEUE_SCHEMA}`)
  }
  for (const step of [ensureMasterKey(ctx.config.home, ctx.config.env), writeDefaultConfig(ctx.config.configPath)]) {
    ;(step.created ? report.created : report.existing).push(step.item)
  }
  if (values.json) ctx.out.result(report)
  else {
    ctx.out.line(`warehouse: ${report.warehouse}`)
    ctx.out.line(report.created.length ? `created: ${report.created.join(', ')}` : 'nothing new was created: everything already existed')
    if (report.existing.length) ctx.out.line(`already there: ${report.existing.join(', ')}`)
  }
  return 0
}
