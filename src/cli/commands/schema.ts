import { SOURCE_NAMES } from '../../connectors/registry.ts'
import { SyncError } from '../../errors.ts'
import { listSourceTables } from '../../warehouse/sql/dashboard.ts'
import { describeStreamSchema, type ChangeView, type ColumnView } from '../../warehouse/stream-schema.ts'
import { parseCommandArgs } from '../args.ts'
import type { CliContext } from '../context.ts'
import { table } from '../output.ts'

export const SCHEMA_HELP = `crmsync schema <source> [stream] [--json]

The shape of a source's stream tables, read from the warehouse alone (no credentials, no request
to the source): for each table, or the one stream named, every column with its type as PostgreSQL
spells it (format_type), where that type came from, when it appeared and whether the source has
dropped it; then the table's recorded changes, oldest first (docs/design.md §3.12).

Where a type came from (crmsync.stream_columns):
  declared   the stream's own schema in crmsync
  source     the source said so (Athena's result metadata, HubSpot's properties); also a column
             the registry does not know yet (a table older than it, whose stream has not run since)
  inferred   guessed from the values the records carried (SalesRabbit)
  pinned     pinned in the config file, under sources.<source>.streams.<stream>.columns

crmsync's own columns (_raw, _hash, _synced_at, _run_id, _deleted_at, _meta) are left out of the
tables; --json lists them apart, under "meta". "appeared" is when the registry first noted the
column (for a declared column: the first run after the registry existed); empty when it has no entry.

A stream named that has no table yet exits 2 and lists the tables there are (a stream's first sync
creates its table); a source with no table at all prints so and exits 0 (--json: "streams": []).
An unknown source exits 2.

--json: {"source", "streams": [{"stream", "table", "columns": [{"name", "type", "origin",
"appearedAt", "droppedAt"}], "meta": [{"name", "type"}], "changes": [{"id", "column", "change",
"fromType", "toType", "runId", "createdAt"}]}]}  (change: added, widened or dropped_at_source)`

const when = (d: Date | null) => (d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') : '')

/** One change in words, as the schema_changed alert says it. */
function changeLine(c: ChangeView): string {
  const what =
    c.change === 'added'
      ? `added ${c.column} (${c.toType ?? '?'})`
      : c.change === 'widened'
        ? `widened ${c.column} ${c.fromType ?? '?'} → ${c.toType ?? '?'}`
        : `${c.column} dropped at the source (was ${c.fromType ?? '?'}; the column is kept)`
  return `  ${when(c.createdAt)}  ${c.runId === null ? 'no run' : `run ${c.runId}`}  ${what}`
}

const columnRow = (c: ColumnView) => [c.name, c.type, c.origin, when(c.appearedAt), when(c.droppedAt)]

export async function schemaCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, 'schema')
  const [source, stream, ...extra] = positionals
  if (source === undefined) throw new SyncError('config_invalid', `name a source: crmsync schema <source> [stream]; crmsync knows ${SOURCE_NAMES.join(', ')}`)
  if (extra.length) throw new SyncError('config_invalid', `crmsync schema takes one source and at most one stream, not ${positionals.length} names`)
  if (!SOURCE_NAMES.includes(source)) throw new SyncError('config_invalid', `unknown source ${JSON.stringify(source)}; crmsync knows ${SOURCE_NAMES.join(', ')}`)

  const warehouse = await ctx.warehouse()
  // a source's schema holds its stream tables, and the history tables of those in history mode
  // (docs/design.md §4), which have no _deleted_at: `crmsync versions` shows those
  const tables = (await listSourceTables(warehouse, [source])).filter((t) => t.has_deleted_at).map((t) => t.table)
  if (stream !== undefined && !tables.includes(stream)) {
    const there = tables.length ? `its tables are ${tables.join(', ')}` : `${source} has no table yet`
    throw new SyncError('config_invalid', `${source} has no table ${JSON.stringify(stream)} in the warehouse (${there}); a stream's first sync creates it: crmsync sync ${source} ${stream}`)
  }

  const streams = []
  for (const name of stream === undefined ? tables : [stream]) {
    const shape = await describeStreamSchema(warehouse, source, name)
    streams.push({ stream: name, table: `${source}.${name}`, columns: shape.columns, meta: shape.meta, changes: shape.changes })
  }
  if (values.json) {
    ctx.out.result({ source, streams })
    return 0
  }
  if (!streams.length) {
    ctx.out.line(`${source} has no table in the warehouse yet: \`crmsync sync ${source}\` creates them`)
    return 0
  }
  for (const [i, s] of streams.entries()) {
    if (i > 0) ctx.out.line()
    const dropped = s.columns.filter((c) => c.droppedAt).length
    ctx.out.line(`${s.table}: ${s.columns.length} columns${dropped ? `, ${dropped} dropped at the source` : ''} (and crmsync's ${s.meta.map((m) => m.name).join(', ')})`)
    ctx.out.line(table(['column', 'type', 'from', 'appeared (UTC)', 'dropped at the source (UTC)'], s.columns.map(columnRow)))
    if (s.changes.length) {
      ctx.out.line(`changes (${s.changes.length}, oldest first, UTC):`)
      for (const c of s.changes) ctx.out.line(changeLine(c))
    } else ctx.out.line('no change of its shape recorded')
  }
  return 0
}
