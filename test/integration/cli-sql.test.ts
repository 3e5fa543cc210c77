import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEnv, runCli } from '../helpers/cli.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'
import { runReadOnlyStatement } from '../../src/warehouse/read-only-statement.ts'

const reason = postgresUnavailable()

// each of these tried to end the read-only transaction, or to sneak a second statement past it
const REFUSED = [
  'commit; delete from salespro.customer',
  'rollback; drop table salespro.customer',
  'set transaction read write; delete from salespro.customer',
  'select 1; select 2',
  'delete from salespro.customer',
  'commit',
  'rollback',
  'begin',
  'set transaction read write',
  'drop table salespro.customer',
]

async function seed(db: TestWarehouse) {
  await db.warehouse.query('CREATE SCHEMA IF NOT EXISTS salespro')
  await db.warehouse.query('CREATE TABLE salespro.customer (id int primary key, name text)')
  await db.warehouse.query(`INSERT INTO salespro.customer VALUES (1, 'a'), (2, 'b'), (3, 'c')`)
}

const countRows = async (db: TestWarehouse) =>
  Number((await db.warehouse.query<{ n: number }>('SELECT count(*)::int AS n FROM salespro.customer')).rows[0].n)

describe.each(WAREHOUSE_KINDS)('read-only statements on %s', (kind) => {
  let db: TestWarehouse | undefined
  beforeAll(async () => {
    if (kind === 'postgres' && reason) return
    db = await createTestWarehouse(kind)
    await seed(db)
  })
  afterAll(async () => db?.drop())

  it.skipIf(kind === 'postgres' && reason).each(REFUSED)('%j is refused and changes nothing', async (sql) => {
    const error = await runReadOnlyStatement(db!.warehouse, sql).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ name: 'SyncError', code: 'config_invalid' })
    expect(await countRows(db!)).toBe(3)
    // the warehouse is still usable, and writable by crmsync itself
    await db!.warehouse.query(`INSERT INTO salespro.customer VALUES (99, 'x')`)
    await db!.warehouse.query('DELETE FROM salespro.customer WHERE id = 99')
  })

  it.skipIf(kind === 'postgres' && reason)('a select returns its rows', async () => {
    const rows = await runReadOnlyStatement(db!.warehouse, 'SELECT id, name FROM salespro.customer ORDER BY id')
    expect(rows).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
      { id: 3, name: 'c' },
    ])
  })
})

describe.skipIf(reason)('crmsync sql on PostgreSQL', () => {
  let db: TestWarehouse
  beforeAll(async () => {
    db = await createTestWarehouse('postgres')
    await seed(db)
  })
  afterAll(async () => db?.drop())

  it.each([
    ['commit; delete from salespro.customer', /transaction control|exactly one statement/],
    ['rollback; drop table salespro.customer', /transaction control|exactly one statement/],
    ['set transaction read write; delete from salespro.customer', /transaction control|exactly one statement/],
    ['select 1; select 2', /exactly one statement/],
    ['delete from salespro.customer', /read-only/],
    ['commit', /transaction/],
  ])('%j exits 2 with a clear message and leaves the table unchanged', async (sql, message) => {
    const result = await runCli(['sql', sql], cliEnv({ DATABASE_URL: db.url }))
    expect(result.stderr).toMatch(message)
    expect(result.stderr).not.toMatch(/TypeError|Cannot read properties/)
    expect(result.code).toBe(2)
    expect(await countRows(db)).toBe(3)
  })

  it('a select prints its rows, and --json gives them as JSON', async () => {
    const text = await runCli(['sql', 'SELECT id, name FROM salespro.customer ORDER BY id'], cliEnv({ DATABASE_URL: db.url }))
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/\(3 rows\)/)
    const json = await runCli(['sql', 'SELECT count(*)::int AS n FROM salespro.customer', '--json'], cliEnv({ DATABASE_URL: db.url }))
    expect(json.code).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({ rows: [{ n: 3 }] })
  })

  it('writes bytea (a _hash) as PostgreSQL does, \\x and hex, in the table and in --json', async () => {
    const query = `SELECT '\\x00ff10'::bytea AS h`
    const text = await runCli(['sql', query], cliEnv({ DATABASE_URL: db.url }))
    expect(text.stdout).toContain('\\x00ff10')
    const json = await runCli(['sql', query, '--json'], cliEnv({ DATABASE_URL: db.url }))
    expect(JSON.parse(json.stdout)).toEqual({ rows: [{ h: '\\x00ff10' }] })
  })
})
