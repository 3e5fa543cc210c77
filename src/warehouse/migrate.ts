import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Warehouse } from './types.ts'

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))
// any fixed pair will do: it only has to be the same for every crmsync process
const MIGRATION_LOCK = [0x63726d, 1] as const

export interface MigrationFile {
  version: number
  name: string
  sql: string
}

export function listMigrations(): MigrationFile[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^\d{4}_.+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.replace(/\.sql$/, ''),
      sql: readFileSync(MIGRATIONS_DIR + file, 'utf8'),
    }))
}

export interface MigrationResult {
  applied: string[]
  alreadyApplied: string[]
}

/**
 * Applies the numbered migrations that are not yet recorded, each in its own transaction, under
 * an advisory lock so that many workers starting at once migrate exactly once.
 */
export async function migrate(warehouse: Warehouse): Promise<MigrationResult> {
  const session = await warehouse.session()
  try {
    await session.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK])
    await session.query(`CREATE SCHEMA IF NOT EXISTS crmsync`)
    await session.query(
      `CREATE TABLE IF NOT EXISTS crmsync.migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    )
    const { rows } = await session.query<{ version: number }>('SELECT version FROM crmsync.migrations')
    const done = new Set(rows.map((row) => row.version))
    const result: MigrationResult = { applied: [], alreadyApplied: [] }
    for (const migration of listMigrations()) {
      if (done.has(migration.version)) {
        result.alreadyApplied.push(migration.name)
        continue
      }
      await session.transaction(async (tx) => {
        await tx.exec(migration.sql)
        await tx.query('INSERT INTO crmsync.migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name])
      })
      result.applied.push(migration.name)
    }
    return result
  } finally {
    await session.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]).catch(() => {})
    await session.release()
  }
}
