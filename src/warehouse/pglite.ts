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
 * PostgreSQL's settings for the embedded warehouse, measured on a 1.2M-row SalesPro sync
 * (docs/benchmarks.md, "Embedded warehouse (PGlite)"). PGlite's WebAssembly memory never shrinks,
 * so whatever it touches once stays in the process's RSS: 32 MB of shared buffers instead of
 * 128 MB took ~100 MB off the peak. The write-ahead log grew to its 1 GB default beside the
 * tables (half the disk of that sync); kept to 64 MB, checkpoints come sooner, which costs little
 * with fsync off (PGlite's -F). No replica ever reads this log, so it carries the minimum.
 */
const EMBEDDED_SETTINGS = {
  shared_buffers: '32MB',
  max_wal_size: '64MB',
  min_wal_size: '32MB',
  wal_level: 'minimal',
  max_wal_senders: '0',
} as const

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
    const startParams = [...PGlite.defaultStartParams, ...Object.entries(EMBEDDED_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`])]
    db = await PGlite.create({ dataDir: inMemory ? undefined : dataDir, parsers: { 20: Number }, startParams })
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
