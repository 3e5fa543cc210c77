import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import pg from 'pg'
import { inject } from 'vitest'
import { migrate } from '../../src/warehouse/migrate.ts'
import { openPglite } from '../../src/warehouse/pglite.ts'
import { openPostgres } from '../../src/warehouse/postgres.ts'
import type { Warehouse } from '../../src/warehouse/types.ts'
import { withDatabase } from '../global-setup.ts'
import { cliEnv } from './cli.ts'

export interface TestWarehouse {
  warehouse: Warehouse
  /** a connection string for child processes (postgres only) */
  url?: string
  drop(): Promise<void>
}

export const WAREHOUSE_KINDS = ['postgres', 'pglite'] as const
export type WarehouseKind = (typeof WAREHOUSE_KINDS)[number]

/** Why the PostgreSQL variant of a test cannot run here, or undefined when it can. */
export function postgresUnavailable(): string | undefined {
  const pgInfo = inject('postgres')
  return pgInfo.available ? undefined : pgInfo.reason
}

/** A fresh, migrated warehouse: a database cloned from the template, or an in-memory PGlite. */
export async function createTestWarehouse(kind: WarehouseKind): Promise<TestWarehouse> {
  if (kind === 'pglite') {
    const warehouse = await openPglite({ dataDir: 'memory://' })
    await migrate(warehouse)
    return { warehouse, drop: () => warehouse.close() }
  }
  const info = inject('postgres')
  if (!info.available) throw new Error(info.reason)
  const name = `crmsync_t_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: info.url })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${info.template}"`)
  await admin.end()
  const url = withDatabase(info.url, name)
  const warehouse = openPostgres({ connectionString: url, max: 6 })
  return {
    warehouse,
    url,
    async drop() {
      await warehouse.close()
      const cleanup = new pg.Client({ connectionString: info.url })
      await cleanup.connect()
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await cleanup.end()
    },
  }
}

/** An empty (unmigrated) PostgreSQL database, for tests of `init` and migrations. */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const info = inject('postgres')
  if (!info.available) throw new Error(info.reason)
  const name = `crmsync_t_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: info.url })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  return {
    url: withDatabase(info.url, name),
    async drop() {
      const cleanup = new pg.Client({ connectionString: info.url })
      await cleanup.connect()
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await cleanup.end()
    },
  }
}

/**
 * A warehouse filled by `fill` in this process, then handed to a CLI child: PostgreSQL (its
 * `DATABASE_URL` in `env`), or the embedded one the CLI opens, `CRMSYNC_HOME/pgdata`, written here
 * first and closed (an embedded warehouse belongs to one process at a time).
 */
export async function warehouseForCli(kind: WarehouseKind, fill: (warehouse: Warehouse) => Promise<void>): Promise<{ env: NodeJS.ProcessEnv; drop(): Promise<void> }> {
  if (kind === 'postgres') {
    const db = await createTestWarehouse('postgres')
    await fill(db.warehouse)
    return { env: cliEnv({ DATABASE_URL: db.url }), drop: () => db.drop() }
  }
  const env = cliEnv()
  const warehouse = await openPglite({ dataDir: join(env.CRMSYNC_HOME as string, 'pgdata') })
  try {
    await migrate(warehouse)
    await fill(warehouse)
  } finally {
    await warehouse.close()
  }
  return { env, drop: async () => {} }
}
