import { SOURCE_NAMES } from '../../connectors/registry.ts'
import { SyncError } from '../../errors.ts'
import { historyTable, listVersions, primaryKeyOf, type VersionRow } from '../../warehouse/history.ts'
import { listColumnTypes } from '../../warehouse/stream-table.ts'
import { parseCommandArgs } from '../args.ts'
import { checkStreamNames, type CliContext } from '../context.ts'
import { table } from '../output.ts'

export const VERSIONS_HELP = `crmsync versions <source> <stream> --key K [--json]

Every version of one row of a stream kept in history mode ("history": true under
sources.<source>.streams.<stream> in the config file), oldest first, read from the warehouse alone
(<source>.<stream>__history; no credentials, no request to the source): when each version was
valid (from, to; the current one has no end), whether it is current, whether it records a soft
delete, the run that wrote it, its payload hash, and which columns changed since the version before.

--key K     the row's primary key. A key of several columns is given as the record_key of
            crmsync.rejects writes it, its parts joined by U+001F (the unit separator), or, simpler
            to type, joined by commas (a part that itself holds a comma needs the U+001F form).

A version's validity is [from, to): the row as of time T is the version with
from <= T AND (T < to OR to IS NULL); a version with deleted = yes says the row was deleted then.

Exits 2 when the stream has no history table (history is off for it, or it has not run since
history was turned on), when the key has the wrong number of parts, or for an unknown source;
a key with no version prints so and exits 0 (--json: "versions": []).

--json: {"source", "stream", "table", "key": {column: value}, "versions": [{"validFrom",
"validTo", "isCurrent", "deleted", "runId", "hash", "values": {column: value, "_raw": {...}}}]}`

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace('Z', '') : '')

/** The key's parts, in key order: U+001F-joined (crmsync.rejects' record_key), or comma-joined for a compound key. */
export function splitKey(text: string, primaryKey: readonly string[]): string[] {
  const parts = text.includes('\u001f') ? text.split('\u001f') : primaryKey.length > 1 ? text.split(',') : [text]
  if (parts.length !== primaryKey.length)
    throw new SyncError(
      'config_invalid',
      `--key ${JSON.stringify(text)} has ${parts.length} part${parts.length === 1 ? '' : 's'}, but the key is ${primaryKey.length} columns (${primaryKey.join(', ')}): join the parts with commas or U+001F`,
    )
  return parts
}

/** The names of the columns whose values differ from the version before. */
function changedColumns(version: VersionRow, before: VersionRow | undefined): string {
  if (!before) return '(first)'
  const names = Object.keys(version.values).filter((k) => k !== '_raw' && JSON.stringify(version.values[k]) !== JSON.stringify(before.values[k]))
  if (version.deleted !== before.deleted) names.unshift(version.deleted ? '(deleted)' : '(back)')
  return names.join(', ') || '(none)'
}

export async function versionsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { key: { type: 'string' } }, 'versions')
  const [source, stream, ...extra] = positionals
  if (source === undefined || stream === undefined) throw new SyncError('config_invalid', 'name a source and a stream: crmsync versions <source> <stream> --key K')
  if (extra.length) throw new SyncError('config_invalid', `crmsync versions takes one source and one stream, not ${positionals.length} names`)
  if (!SOURCE_NAMES.includes(source)) throw new SyncError('config_invalid', `unknown source ${JSON.stringify(source)}; crmsync knows ${SOURCE_NAMES.join(', ')}`)
  if (values.key === undefined || values.key === '') throw new SyncError('config_invalid', 'name the row: --key K (its primary key; see crmsync versions --help)')
  // a stream the source does not have is said as such, not as one whose history is off
  await checkStreamNames(ctx, source, [stream])

  const warehouse = await ctx.warehouse()
  const h = historyTable({ schema: source, table: stream })
  if ((await listColumnTypes(warehouse, h.schema, h.table)).length === 0)
    throw new SyncError(
      'config_invalid',
      `${source}.${stream} has no history table (${source}.${h.table}): turn history on with "history": true under sources.${source}.streams.${stream} in the config file, then sync the stream`,
    )
  const primaryKey = await primaryKeyOf(warehouse, source, stream)
  if (primaryKey.length === 0) throw new SyncError('config_invalid', `${source}.${stream} has no table with a primary key in the warehouse`)
  const key = splitKey(values.key, primaryKey)
  const versions = await listVersions(warehouse, { schema: source, table: stream, primaryKey }, key)
  const keyObject = Object.fromEntries(primaryKey.map((k, i) => [k, key[i]]))
  if (values.json) {
    ctx.out.result({ source, stream, table: `${source}.${h.table}`, key: keyObject, versions })
    return 0
  }
  const keyText = primaryKey.map((k, i) => `${k} = ${key[i]}`).join(', ')
  if (versions.length === 0) {
    ctx.out.line(`${source}.${stream}: no version of the row ${keyText}`)
    return 0
  }
  ctx.out.line(`${source}.${stream}, ${keyText}: ${versions.length} version${versions.length === 1 ? '' : 's'} (UTC, oldest first)`)
  const rows = versions.map((v, i) => [when(v.validFrom), when(v.validTo), v.isCurrent ? 'yes' : '', v.deleted ? 'yes' : '', v.runId ?? '', (v.hash ?? '').slice(0, 12), changedColumns(v, versions[i - 1])])
  ctx.out.line(table(['valid from', 'valid to', 'current', 'deleted', 'run', 'hash', 'changed'], rows))
  return 0
}
