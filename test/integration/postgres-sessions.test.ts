import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPostgres } from '../../src/warehouse/postgres.ts'
import type { Warehouse } from '../../src/warehouse/types.ts'
import { createTestWarehouse, postgresUnavailable, type TestWarehouse } from '../helpers/warehouses.ts'

const reason = postgresUnavailable()

// A session's connection serves again once released clean (a run's start then opens none), and
// nothing of the session survives into the next: not its stream lock, its settings or its temporary tables.
describe('postgres sessions', () => {
  let db: TestWarehouse
  // one connection at most: the session after a release can only have the released one, or a new one
  let warehouse: Warehouse
  beforeAll(async () => {
    if (reason) return
    db = await createTestWarehouse('postgres')
    warehouse = openPostgres({ connectionString: db.url as string, max: 1 })
  })
  afterAll(async () => {
    await warehouse?.close()
    await db?.drop()
  })

  const backendPid = async (session: { query: Warehouse['query'] }) => (await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid

  it.skipIf(!!reason)(`a clean session's connection serves the next session, reset: its lock, setting and temporary table are gone ${reason ?? ''}`, async () => {
    const first = await warehouse.session()
    const pid = await backendPid(first)
    expect(await warehouse.store.tryStreamLock(first, 'src', 'items')).toBe(true)
    await first.query(`SET application_name = 'left-behind'`)
    await first.query('CREATE TEMP TABLE left_behind (x int)')
    await first.release()

    // another process can take the stream at once
    const other = new pg.Client({ connectionString: db.url })
    await other.connect()
    try {
      const { rows } = await other.query(`SELECT pg_try_advisory_lock(hashtext('src'), hashtext('items')) AS locked`)
      expect(rows[0].locked).toBe(true)
    } finally {
      await other.end()
    }

    const second = await warehouse.session()
    try {
      expect(await backendPid(second)).toBe(pid)
      expect((await second.query<{ name: string }>(`SELECT current_setting('application_name') AS name`)).rows[0].name).toBe('crmsync')
      expect((await second.query<{ t: string | null }>(`SELECT to_regclass('pg_temp.left_behind')::text AS t`)).rows[0].t).toBeNull()
    } finally {
      await second.release()
    }
  })

  it.skipIf(!!reason)('a session that saw an error is closed, not handed on', async () => {
    const failed = await warehouse.session()
    const pid = await backendPid(failed)
    await expect(failed.transaction((tx) => tx.query('SELECT 1/0'))).rejects.toThrow(/division by zero/)
    await failed.release()
    const next = await warehouse.session()
    try {
      expect(await backendPid(next)).not.toBe(pid)
    } finally {
      await next.release()
    }
  })
})
