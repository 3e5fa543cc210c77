import type { QueryConfig } from 'pg'
import copyStreams from 'pg-copy-streams'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from './pg-module.ts'
import { syncStore } from './sync-store.ts'
import type { PoolStats, Session, Transaction, Warehouse } from './types.ts'

// counts and ids are int8; they fit a JS number, and numbers are what every caller wants
const types = {
  getTypeParser: (oid: number, format?: string) =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
}

export interface PostgresOptions {
  connectionString: string
  /** pool size; the default leaves room for a few concurrent runs plus the dashboard */
  max?: number
}

/** Where a DATABASE_URL points, with the password dropped: safe for logs and the dashboard. */
export function describeUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString)
    return `postgres://${url.hostname}:${url.port || 5432}${url.pathname}`
  } catch {
    return 'postgres (unparseable DATABASE_URL)'
  }
}

const ignoreError = () => {}

export function openPostgres(options: PostgresOptions): Warehouse {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: 'crmsync',
    // timestamps without a zone are read as UTC, whatever the server's own setting. Keepalives:
    // a stream's lock lives on its run's connection, and PostgreSQL frees it only when it sees the
    // connection gone; a killed process's is seen at once, but a host that vanished (power, network)
    // would hold its streams until the kernel's default of two hours; with these, about a minute
    options: '-c TimeZone=UTC -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3',
    types,
  })
  // an idle client that loses its server (restart, network) must not crash the process
  pool.on('error', ignoreError)
  const max = options.max ?? 10

  return {
    kind: 'postgres',
    store: syncStore,
    location: describeUrl(options.connectionString),
    query: async (sql, params) => {
      const result = await pool.query(sql, params as unknown[])
      return { rows: result.rows, rowCount: result.rowCount ?? 0 }
    },
    async session(): Promise<Session> {
      const client = await pool.connect()
      // A session is a run's, and its run records itself through the pool meanwhile (its history
      // row, heartbeat, log): a connection opened now, beside it, is ready by then instead of costing
      // the run's start ~15 ms to open
      if (pool.idleCount === 0 && pool.totalCount < max) pool.connect().then((spare) => spare.release(), ignoreError)
      // a checked-out client whose server goes away reports it through its next query, not as a crash
      client.on('error', ignoreError)
      let released = false
      // whether every statement of the session succeeded: only then is its connection known to be
      // idle, outside a transaction and a COPY, and fit to serve again
      let clean = true
      const watched = async <T>(call: Promise<T>): Promise<T> => {
        try {
          return await call
        } catch (error) {
          clean = false
          throw error
        }
      }
      const query: Session['query'] = async (sql, params) => {
        const result = await watched(client.query(sql, params as unknown[]))
        return { rows: result.rows, rowCount: result.rowCount ?? 0 }
      }
      const tx: Transaction = {
        query,
        exec: async (sql) => void (await watched(client.query(sql))),
        async statement(sql) {
          // queryMode is pg's (8.11+) but missing from @types/pg; without it a query with no
          // parameters goes through the simple protocol, which runs any number of statements
          const result = await watched(client.query({ text: sql, queryMode: 'extended' } as QueryConfig))
          return { rows: result.rows, rowCount: result.rowCount ?? 0 }
        },
        async copyIn(table, columns, text) {
          const stream = client.query(copyStreams.from(`COPY ${table} (${columns.join(', ')}) FROM STDIN`))
          // many small CopyData messages, not one: PostgreSQL parses each as it arrives, so
          // sending and loading overlap instead of the server waiting for the whole page
          await watched(pipeline(Readable.from(text), stream))
        },
      }
      return {
        query,
        async transaction(fn) {
          await watched(client.query('BEGIN'))
          try {
            const result = await fn(tx)
            await watched(client.query('COMMIT'))
            return result
          } catch (error) {
            // (a failed statement already marked the session unclean; so does a failed ROLLBACK)
            await watched(client.query('ROLLBACK')).catch(() => {})
            throw error
          }
        },
        async release() {
          if (released) return
          released = true
          client.off('error', ignoreError)
          // A session may hold advisory locks (a stream's, the migrations'): DISCARD ALL lets go of
          // them, its temporary tables and settings, and the connection serves again, which spares
          // the next session a new connection (~15 ms, and a backend whose catalog caches are cold).
          // A session that saw any error is closed instead: its state is not known.
          if (clean) {
            try {
              await client.query('DISCARD ALL')
              client.release()
              return
            } catch {
              // the connection is no longer fit: closed below
            }
          }
          client.release(true)
        },
      }
    },
    poolStats: (): PoolStats => ({
      max,
      size: pool.totalCount,
      inUse: pool.totalCount - pool.idleCount,
      waiting: pool.waitingCount,
    }),
    close: () => pool.end(),
  }
}
