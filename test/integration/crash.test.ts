import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../../src/warehouse/migrate.ts'
import { openPglite } from '../../src/warehouse/pglite.ts'
import type { Queryable } from '../../src/warehouse/types.ts'
import { cliEnv, collect, runCli, startCli } from '../helpers/cli.ts'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { createEmptyDatabase, postgresUnavailable, WAREHOUSE_KINDS } from '../helpers/warehouses.ts'

/**
 * DESIGN.md §3.1 end to end: a sync process killed with SIGKILL in the middle of a run, then run
 * again, leaves exactly the rows and cursor of a run that was never interrupted.
 */
// 1,200 rows per commit: SalesPro reads pages of 500, so a commit gathers several pages (the
// cursor committed is the last page's) and ends inside one
const BATCH = ['--batch-size', '1200']
const SYNC = ['sync', 'salespro', 'customer', ...BATCH, '--debug']

async function withWarehouse<T>(kind: string, target: { url?: string; home?: string }, fn: (db: Queryable) => Promise<T>): Promise<T> {
  if (kind === 'postgres') {
    const client = new pg.Client({ connectionString: target.url })
    await client.connect()
    try {
      return await fn({ query: async (sql, params) => ({ rows: (await client.query(sql, params as unknown[])).rows, rowCount: 0 }) })
    } finally {
      await client.end()
    }
  }
  const warehouse = await openPglite({ dataDir: join(target.home as string, 'pgdata') })
  try {
    return await fn(warehouse)
  } finally {
    await warehouse.close()
  }
}

const snapshot = (db: Queryable) =>
  Promise.all([
    db.query(`SELECT customer_id, _hash, customer_last_name, company_name, updated_at, _deleted_at FROM salespro.customer ORDER BY customer_id`),
    db.query(`SELECT cursor, full_pass FROM crmsync.stream_state WHERE stream = 'customer'`),
  ]).then(([rows, state]) => ({ rows: rows.rows, cursor: state.rows[0]?.cursor, fullPass: state.rows[0]?.full_pass }))

describe.each(WAREHOUSE_KINDS)('a sync killed mid-run, on %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let source: SalesProFixture
  const cleanups: (() => Promise<void>)[] = []
  // PGlite: one migrated warehouse, copied into each CLI home. Creating a PGlite directory
  // (initdb in WebAssembly) takes half a minute or more on a loaded machine; what this test is
  // about is the kill and the rerun, and the CLI's own first start is covered by the CLI tests
  let pgliteTemplate: string | undefined
  beforeAll(async () => {
    const [fixture] = await Promise.all([
      startSalesPro({ rows: 20_000, only: ['customer'], seed: 3 }),
      kind === 'pglite'
        ? (async () => {
            pgliteTemplate = join(mkdtempSync(join(tmpdir(), 'crmsync-pglite-tpl-')), 'pgdata')
            const warehouse = await openPglite({ dataDir: pgliteTemplate })
            await migrate(warehouse)
            await warehouse.close()
          })()
        : undefined,
    ])
    source = fixture
  })
  afterAll(async () => {
    await source?.emulator.close()
    for (const cleanup of cleanups) await cleanup()
    if (pgliteTemplate) rmSync(join(pgliteTemplate, '..'), { recursive: true, force: true })
  })

  const target = async () => {
    if (kind === 'pglite') {
      const env = cliEnv({ ...source.emulator.env })
      cpSync(pgliteTemplate as string, join(env.CRMSYNC_HOME as string, 'pgdata'), { recursive: true })
      return { env }
    }
    const db = await createEmptyDatabase()
    cleanups.push(db.drop)
    return { env: cliEnv({ ...source.emulator.env, DATABASE_URL: db.url }), url: db.url }
  }

  it.skipIf(!!reason)(`leaves the rows and cursor of an uninterrupted run after a rerun ${reason ?? ''}`, async () => {
    const reference = await target()
    const crashed = await target()
    const where = (t: { env: NodeJS.ProcessEnv; url?: string }) => ({ url: t.url, home: t.env.CRMSYNC_HOME })

    const clean = await runCli(SYNC, reference.env)
    expect(clean.code, clean.stderr).toBe(0)

    // kill the second one as soon as it has committed three pages: the fourth is in flight
    const child = startCli(SYNC, crashed.env)
    let committed = 0
    child.stderr?.on('data', (chunk: Buffer) => {
      committed += (String(chunk).match(/"msg":"page committed"/g) ?? []).length
      if (committed >= 3) child.kill('SIGKILL')
    })
    const killed = await collect(child)
    expect(killed.signal, killed.stderr.slice(-3000)).toBe('SIGKILL')

    // at the moment of the kill the warehouse is consistent: the cursor covers exactly the rows written
    await withWarehouse(kind, where(crashed), async (db) => {
      const run = (await db.query<{ status: string; pages: number; fetched: number }>(`SELECT status, pages, fetched FROM crmsync.sync_runs`)).rows[0]
      expect(run.status).toBe('running')
      expect(run.pages).toBeGreaterThanOrEqual(3)
      expect(run.pages).toBeLessThan(40)
      const state = await snapshot(db)
      expect(state.rows).toHaveLength(run.fetched)
      const last = state.rows.reduce((a: any, b: any) => (b.updated_at > a.updated_at || (+b.updated_at === +a.updated_at && b.customer_id > a.customer_id) ? b : a))
      expect((state.cursor as { key: string }).key).toBe(last.customer_id)
    })

    const rerun = await runCli(['sync', 'salespro', 'customer', ...BATCH, '--json'], crashed.env)
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(JSON.parse(rerun.stdout).runs[0]).toMatchObject({ status: 'succeeded', mode: 'full' })

    const expected = await withWarehouse(kind, where(reference), snapshot)
    const actual = await withWarehouse(kind, where(crashed), snapshot)
    expect(actual.rows).toHaveLength(20_000)
    expect(actual.cursor).toEqual(expected.cursor)
    expect(actual.fullPass).toBeNull()
    expect(actual.rows).toEqual(expected.rows)
    const runs = await withWarehouse(kind, where(crashed), (db) => db.query<{ status: string; error_code: string | null }>(`SELECT status, error_code FROM crmsync.sync_runs ORDER BY id`))
    expect(runs.rows).toEqual([
      { status: 'failed', error_code: 'abandoned' },
      { status: 'succeeded', error_code: null },
    ])
  })
})
