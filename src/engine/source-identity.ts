import { SyncError } from '../errors.ts'
import type { SourceIdentity, Warehouse } from '../warehouse/store.ts'
import type { SyncTarget } from './run-sync.ts'

const describe = (identity: SourceIdentity) =>
  Object.entries(identity)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')

const same = (a: SourceIdentity, b: SourceIdentity) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort())

/**
 * The warehouse remembers which source's data each source schema holds (`Connector.identity`: an
 * endpoint, a database). A sync configured against another one is stopped before it reads: the
 * cursors the first source left would make its incremental reads find nothing of the second
 * (a demo's warehouse, then an emulator of other data: 0 of 50,000 rows, and exit 0), and a full
 * read would mix two sources' rows in one table. `accept` records the new identity instead (the
 * same data at a new address); the first sync of a source records it. Returns a note to show.
 */
export async function checkSourceIdentity(warehouse: Warehouse, target: SyncTarget, options: { accept: boolean; dryRun: boolean }): Promise<string | undefined> {
  const { connector, config } = target
  const identity = connector.identity?.(config)
  if (!identity) return undefined
  const { store } = warehouse
  const stored = await store.loadSourceIdentity(warehouse, connector.name)
  if (stored && same(stored, identity)) return undefined
  const holdsData = (await store.listStreamStates(warehouse)).some((s) => s.source === connector.name)
  if (stored && holdsData && !options.accept) {
    throw new SyncError(
      'config_invalid',
      `the warehouse holds ${connector.name} data from ${describe(stored)}, but this sync reads ${describe(identity)}: ` +
        `its stored cursors belong to the other source, so an incremental sync would miss this one's rows. ` +
        `If it is the same data at a new address, run again with --accept-new-source; if it is another source, use another warehouse (DATABASE_URL or CRMSYNC_HOME)`,
    )
  }
  if (options.dryRun) return undefined
  await store.saveSourceIdentity(warehouse, connector.name, identity)
  return stored && holdsData ? `${connector.name}: recorded the new source ${describe(identity)} (it was ${describe(stored)}), as --accept-new-source asked` : undefined
}
