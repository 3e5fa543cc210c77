import { PGlite } from '@electric-sql/pglite'
import { resolve } from 'node:path'
import { ensureWritableDirectory } from '../writable-directory.ts'
import { acquireDirectoryLock } from './directory-lock.ts'
import { syncStore } from './sync-store.ts'
import type { Session, Transaction, Warehouse } from './types.ts'

export interface PgliteOptions {
  /** the data directory; `memory://` for a throw-away in-memory warehouse (tests) */
  dataDir: string
}

/**
 * The embedded warehouse: real PostgreSQL compiled to WebAssembly, in this process. It has one
 * connection, so sessions share it, and only one process may open a directory at a time: a lock
 * file says which process has it, and a second one is refused with that process's pid.
 */
export async function openPglite(options: PgliteOptions): Promise<Warehouse> {
  const inMemory = options.dataDir.startsWith('memory://')
  const dataDir = inMemory ? options.dataDir : resolve(options.dataDir)
  let unlock = async () => {}
  if (!inMemory) {
    ensureWritableDirectory(dataDir)
    unlock = await acquireDirectoryLock(dataDir)
  }
  let db: PGlite
  try {
    db = await PGlite.create({ dataDir: inMemory ? undefined : dataDir, parsers: { 20: Number } })
  } catch (error) {
    await unlock()
    throw error
  }

  await db.exec(`SET TimeZone = 'UTC'`)
  const query: Warehouse['query'] = async (sql, params) => {
    const result = await db.query(sql, params as unknown[])
    return { rows: result.rows as never[], rowCount: result.affectedRows ?? result.rows.length }
  }
  let sessions = 0

  return {
    kind: 'pglite',
    store: syncStore,
    location: inMemory ? 'embedded (in memory)' : `embedded (${dataDir})`,
    query,
    async session(): Promise<Session> {
      sessions++
      let released = false
      return {
        query,
        transaction: (fn) =>
          db.transaction(async (inner) => {
            const tx: Transaction = {
              query: async (sql, params) => {
                const result = await inner.query(sql, params as unknown[])
                return { rows: result.rows as never[], rowCount: result.affectedRows ?? result.rows.length }
              },
              exec: async (sql) => void (await inner.exec(sql)),
              // PGlite's query() always uses the extended protocol, which refuses several statements
              statement: async (sql) => {
                const result = await inner.query(sql, [])
                return { rows: result.rows as never[], rowCount: result.affectedRows ?? result.rows.length }
              },
              async copyIn(table, columns, text) {
                await inner.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], {
                  blob: new Blob([...text]),
                })
              },
            }
            return fn(tx)
          }),
        async release() {
          if (!released) sessions--
          released = true
        },
      }
    },
    poolStats: () => ({ max: 1, size: 1, inUse: sessions > 0 ? 1 : 0, waiting: 0 }),
    async close() {
      await db.close()
      await unlock()
    },
  }
}
