import { SyncError } from '../../errors.ts'
import { runReadOnlyStatement } from '../../warehouse/read-only-statement.ts'
import { parseCommandArgs } from '../args.ts'
import type { CliContext } from '../context.ts'
import { table } from '../output.ts'

export const SQL_HELP = `crmsync sql "<query>" [--json]

Runs exactly one statement against the warehouse (the embedded one too, which has no psql), in a
read-only transaction, and prints the rows (--json: {"rows": [...]}). Several statements, a write,
or a statement that controls the transaction (BEGIN, COMMIT, ROLLBACK, SET TRANSACTION) is refused
with exit code 2, and nothing changes. For example:
  crmsync sql "SELECT count(*) FROM salespro.customer WHERE _deleted_at IS NULL"`

export async function sqlCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, 'sql')
  const query = positionals.join(' ').trim()
  if (!query) throw new SyncError('config_invalid', 'give the query to run, in quotes')
  const warehouse = await ctx.warehouse()
  const rows = (await runReadOnlyStatement(warehouse, query)).map(withBytesAsText)
  if (values.json) ctx.out.result({ rows })
  else if (rows.length === 0) ctx.out.line('(no rows)')
  else {
    const headers = Object.keys(rows[0])
    ctx.out.line(table(headers, rows.map((r) => headers.map((h) => format(r[h])))))
    ctx.out.line(`(${rows.length} row${rows.length === 1 ? '' : 's'})`)
  }
  return 0
}

/**
 * bytea values (a `_hash`, say) as PostgreSQL writes them, `\\x` and hex: the drivers hand them
 * over as Buffer or Uint8Array, whose JSON is an object of numbered bytes
 */
function withBytesAsText(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(row)) out[name] = value instanceof Uint8Array ? `\\x${Buffer.from(value).toString('hex')}` : value
  return out
}

const format = (v: unknown) => (v instanceof Date ? v.toISOString() : v !== null && typeof v === 'object' ? JSON.stringify(v) : (v as string))
