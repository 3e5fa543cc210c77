import { SyncError } from '../../errors.ts'
import { parseCommandArgs } from '../args.ts'
import type { CliContext } from '../context.ts'
import { table } from '../output.ts'

export const SQL_HELP = `crmsync sql "<query>" [--json]

Runs one read-only query against the warehouse (the embedded one too, which has no psql) and
prints the rows. For example:
  crmsync sql "SELECT count(*) FROM salespro.customer WHERE _deleted_at IS NULL"`

export async function sqlCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, 'sql')
  const query = positionals.join(' ').trim()
  if (!query) throw new SyncError('config_invalid', 'give the query to run, in quotes')
  const warehouse = await ctx.warehouse()
  const session = await warehouse.session()
  let rows: Record<string, unknown>[]
  try {
    // read only: this command is for looking, and a typo must not change the warehouse
    rows = await session.transaction(async (tx) => {
      await tx.query('SET TRANSACTION READ ONLY')
      return (await tx.query(query)).rows
    })
  } catch (error) {
    throw new SyncError('config_invalid', `the query failed: ${(error as Error).message}`)
  } finally {
    await session.release()
  }
  if (values.json) ctx.out.result({ rows })
  else if (rows.length === 0) ctx.out.line('(no rows)')
  else {
    const headers = Object.keys(rows[0])
    ctx.out.line(table(headers, rows.map((r) => headers.map((h) => format(r[h])))))
    ctx.out.line(`(${rows.length} row${rows.length === 1 ? '' : 's'})`)
  }
  return 0
}

const format = (v: unknown) => (v instanceof Date ? v.toISOString() : v !== null && typeof v === 'object' ? JSON.stringify(v) : (v as string))
