import type { TestProject } from 'vitest/node'
import pg from 'pg'
import { openPostgres } from '../src/warehouse/postgres.ts'
import { migrate } from '../src/warehouse/migrate.ts'

/**
 * Prepares a migrated template database once; each test file clones it (CREATE DATABASE …
 * TEMPLATE), which is much faster than migrating per file. Without a reachable server the
 * PostgreSQL variants of the tests are skipped, and say why.
 */
export const TEMPLATE = 'crmsync_test_template'

export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const admin = new pg.Client({ connectionString: url })
  try {
    await admin.connect()
  } catch (error) {
    project.provide('postgres', { available: false, reason: `PostgreSQL at ${url} is not reachable: ${(error as Error).message}` })
    return
  }
  const stale = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'crmsync_t\\_%' OR datname = $1`, [TEMPLATE])
  for (const row of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`)
  await admin.query(`CREATE DATABASE "${TEMPLATE}"`)
  const templateUrl = withDatabase(url, TEMPLATE)
  const warehouse = openPostgres({ connectionString: templateUrl, max: 2 })
  await migrate(warehouse)
  await warehouse.close()
  project.provide('postgres', { available: true, url, templateUrl })
  return async () => {
    const left = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'crmsync_t\\_%' OR datname = $1`, [TEMPLATE])
    for (const row of left.rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`)
    await admin.end()
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { available: true; url: string; templateUrl: string } | { available: false; reason: string }
  }
}
