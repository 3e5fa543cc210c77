import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { migrate } from '../../src/warehouse/migrate.ts'
import { openPostgres } from '../../src/warehouse/postgres.ts'
import { isAlive } from '../helpers/is-alive.ts'

/**
 * One PostgreSQL database per scenario, cloned from a template migrated once per harness run
 * (CREATE DATABASE … TEMPLATE is much faster than migrating each time). Databases are named
 * `crmsync_chaos_<pid>_…`, so a later run drops those whose process is gone.
 */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'crmsync-chaos' })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Checks the server, drops leftovers of dead harness runs, and migrates a fresh template. */
export async function prepareTemplate(adminUrl: string): Promise<string> {
  const template = `crmsync_chaos_${process.pid}_tpl`
  await withAdmin(adminUrl, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname ~ '^crmsync_chaos_[0-9]+_'`,
    )
    for (const { datname } of rows) {
      const pid = Number(/^crmsync_chaos_(\d+)_/.exec(datname)?.[1])
      if (pid !== process.pid && isAlive(pid)) continue
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
    }
    await admin.query(`CREATE DATABASE "${template}"`)
  })
  const warehouse = openPostgres({ connectionString: withDatabase(adminUrl, template), max: 2 })
  try {
    await migrate(warehouse)
  } finally {
    await warehouse.close()
  }
  return template
}

export async function cloneDatabase(adminUrl: string, template: string) {
  const name = `crmsync_chaos_${process.pid}_${randomBytes(4).toString('hex')}`
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`))
  return { name, url: withDatabase(adminUrl, name) }
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
}

/**
 * Waits until no crmsync connection is left on the scenario's database: a SIGKILLed process's
 * backend (and its advisory lock) goes away a moment after the process, and the next run must
 * not find its stream "busy" because of that moment.
 */
export async function waitIdle(client: pg.Pool, database: string, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'crmsync'`,
      [database],
    )
    if (rows[0].n === 0) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * Closes a source's circuit breaker. After a burst of failed runs the breaker rightly refuses
 * runs for a minute; the faults are over when the harness says so, as an operator would.
 */
export async function resetBreaker(client: pg.Pool, source: string): Promise<void> {
  await client.query(`DELETE FROM crmsync.circuit_breakers WHERE source = $1`, [source])
}

/** The harness's own connections to a scenario's database: a pool, as the sources of a scenario check side by side. */
export const connect = async (url: string) => {
  const pool = new pg.Pool({ connectionString: url, application_name: 'crmsync-chaos', max: 3 })
  // an idle connection the server ends (57P01) is an 'error' on the pool: without a listener it
  // ended the whole harness run (seen once in 150 scenarios); the pool opens a new one when asked
  pool.on('error', () => {})
  await pool.query('SELECT 1')
  return pool
}
