import type { TestProject } from 'vitest/node'
import pg from 'pg'
import { openPostgres } from '../src/warehouse/postgres.ts'
import { migrate } from '../src/warehouse/migrate.ts'
import { isAlive } from './helpers/is-alive.ts'

/**
 * Prepares a migrated template database once; each test file clones it (CREATE DATABASE …
 * TEMPLATE), which is much faster than migrating per file. Without a reachable server the
 * PostgreSQL variants of the tests are skipped, and say why.
 */
// per vitest run, so runs on one server (a developer's and a helper's) never drop each other's databases
const TEMPLATE = `crmsync_tpl_${process.pid}`

export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const admin = new pg.Client({ connectionString: url })
  try {
    await admin.connect()
  } catch (error) {
    project.provide('postgres', { available: false, reason: `PostgreSQL at ${url} is not reachable: ${(error as Error).message}` })
    return
  }
  await dropStale(admin)
  await admin.query(`CREATE DATABASE "${TEMPLATE}"`)
  const templateUrl = withDatabase(url, TEMPLATE)
  const warehouse = openPostgres({ connectionString: templateUrl, max: 2 })
  await migrate(warehouse)
  await warehouse.close()
  project.provide('postgres', { available: true, url, templateUrl, template: TEMPLATE })
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${TEMPLATE}" WITH (FORCE)`)
    await dropStale(admin)
    await admin.end()
  }
}

/** Test databases are named `crmsync_t_<pid>_…` / `crmsync_tpl_<pid>`: drop those whose process is gone. */
async function dropStale(admin: pg.Client) {
  const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^crmsync_(t|tpl)_[0-9]+'`)
  for (const { datname } of rows) {
    const pid = Number(/^crmsync_(?:t|tpl)_(\d+)/.exec(datname)?.[1])
    if (pid === process.pid || isAlive(pid)) continue
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { available: true; url: string; templateUrl: string; template: string } | { available: false; reason: string }
  }
}
