import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineEvents } from '../../src/engine/events.ts'
import { silentLogger } from '../../src/log.ts'
import { createLiveHub, type LiveHub } from '../../src/server/live-hub.ts'
import { waitFor } from '../helpers/server.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

describe.each(WAREHOUSE_KINDS)('the live feed, on %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let hub: LiveHub
  beforeAll(async () => {
    if (reason) return
    db = await createTestWarehouse(kind)
    hub = createLiveHub({ warehouse: db.warehouse, events: createEngineEvents(), log: silentLogger(), pollMs: 100 })
  })
  afterAll(async () => {
    hub?.close()
    await db?.drop()
  })

  it.skipIf(!!reason)(`a run of another process that ends leaves the live table with its final status and counts from the warehouse ${reason ?? ''}`, async () => {
    const events: { event: string; data: any }[] = []
    const off = hub.subscribe((event, data) => events.push({ event, data }))
    const { rows } = await db.warehouse.query<{ id: number }>(
      `INSERT INTO crmsync.sync_runs (source, stream, mode, status, host, pid, fetched) VALUES ('elsewhere', 'items', 'full', 'running', 'other-host', 4242, 10) RETURNING id`,
    )
    const id = rows[0].id
    await waitFor(() => events.some((e) => e.event === 'snapshot' && e.data.runs?.some((r: any) => r.id === id)), 'a snapshot with the run', 60_000)
    await db.warehouse.query(`UPDATE crmsync.sync_runs SET status = 'succeeded', fetched = 250, inserted = 240, finished_at = now(), duration_ms = 1234 WHERE id = $1`, [id])
    const end = await waitFor(() => events.find((e) => e.event === 'run:end' && e.data.runId === id), 'the run:end of the run of the other process', 60_000)
    expect(end.data).toMatchObject({ runId: id, source: 'elsewhere', stream: 'items', status: 'succeeded', fetched: 250, inserted: 240, durationMs: 1234 })
    off()
  })
})
