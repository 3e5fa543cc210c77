import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runSync, type SyncOptions } from '../../src/engine/run-sync.ts'
import { SyncError } from '../../src/errors.ts'
import { listStreamOverview } from '../../src/warehouse/sql/overview.ts'
import { silentLogger } from '../../src/log.ts'
import { createFakeConnector, createFakeStream, makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

const skipReason = (kind: string) => (kind === 'postgres' ? postgresUnavailable() : undefined)

describe.each(WAREHOUSE_KINDS)('engine on %s', (kind) => {
  const reason = skipReason(kind)
  let db: TestWarehouse
  beforeAll(async () => {
    if (!reason) db = await createTestWarehouse(kind)
  })
  afterAll(async () => db?.drop())

  let tableNo = 0
  /** each test gets its own stream (table) so they do not see each other's rows */
  const setup = (controls: Partial<FakeSourceControls> = {}, { alwaysFull = false, lookbackSeconds = 0 } = {}) => {
    const c: FakeSourceControls = { rows: new Map(), pagesServed: 0, ...controls }
    const name = `items_${++tableNo}`
    const stream = { ...createFakeStream(c, { name }), alwaysFull }
    const run = (options: Partial<SyncOptions> = {}) =>
      runSync([{ connector: createFakeConnector(c, [stream]), config: {}, settings: { lookbackSeconds, horizonSeconds: 0, batchSize: 10 } }], {
        warehouse: db.warehouse,
        log: silentLogger(),
        events: createEngineEvents(),
        ...options,
      }).then((r) => r.runs[0])
    const rows = async () =>
      (await db.warehouse.query<{ id: string; name: string | null; _deleted_at: Date | null; updated_at: Date }>(`SELECT id, name, updated_at, _deleted_at FROM fake."${name}" ORDER BY id`)).rows
    const state = async () =>
      (await db.warehouse.query<{ cursor: { updatedAt: string; id: string } | null; full_pass: unknown }>(`SELECT cursor, full_pass FROM crmsync.stream_state WHERE source = 'fake' AND stream = $1`, [name])).rows[0]
    return { c, name, run, rows, state }
  }

  it.skipIf(!!reason)(`reads every row of a timestamp shared by more rows than a page holds, once ${reason ?? ''}`, async () => {
    const { c, run, rows, state } = setup({ rows: makeRows(35, { tie: true }) })
    const summary = await run()
    expect(summary).toMatchObject({ status: 'succeeded', mode: 'full', fetched: 35, inserted: 35, updated: 0 })
    expect(await rows()).toHaveLength(35)
    expect((await state()).cursor).toEqual({ updatedAt: '2024-01-01T00:00:00.000000Z', id: 'r00035' })
    const again = await run()
    expect(again).toMatchObject({ status: 'succeeded', mode: 'incremental', fetched: 0 })
    expect(c.pagesServed).toBe(4)
  })

  it.skipIf(!!reason)('commits each page with its cursor: a failure mid-run keeps the committed pages and resumes after them', async () => {
    let failAt: number | undefined = 3
    const { c, run, rows, state } = setup({ rows: makeRows(50) })
    c.beforePage = (pageNo) => {
      if (pageNo === failAt) throw new SyncError('source_unavailable', 'connection reset by emulated fault')
    }
    const failed = await run()
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'source_unavailable', fetched: 20 })
    expect(await rows()).toHaveLength(20)
    expect((await state()).cursor).toMatchObject({ id: 'r00020' })
    failAt = undefined
    const resumed = await run()
    // the 30 rows the pass had left, then the whole read that judges deletes behind the pause
    expect(resumed).toMatchObject({ status: 'succeeded', mode: 'full', fetched: 30 + 50, inserted: 30 })
    expect((await rows()).map((r) => r.id)).toEqual([...makeRows(50).keys()])
  })

  it.skipIf(!!reason)('retries a retryable read from the last committed page within the same run', async () => {
    let failures = 0
    const { c, run, rows } = setup({ rows: makeRows(30) })
    c.beforePage = (pageNo) => {
      if (pageNo === 2 && failures++ === 0) throw new SyncError('source_unavailable', 'HTTP 503')
    }
    const summary = await run({ retry: (_e, attempt) => (attempt < 3 ? 1 : undefined) })
    expect(summary).toMatchObject({ status: 'succeeded', fetched: 30, inserted: 30, attempts: 2 })
    expect(await rows()).toHaveLength(30)
  })

  it.skipIf(!!reason)('re-reading unchanged rows changes nothing; a changed row is updated; an older version never replaces a newer one', async () => {
    const { c, name, run, rows } = setup({ rows: makeRows(12) })
    await run()
    const full = await run({ flags: { full: true } })
    expect(full).toMatchObject({ fetched: 12, inserted: 0, updated: 0, unchanged: 12 })
    // not even locked: a lock writes the row (its xmax), WAL and, after a checkpoint, whole pages
    const touched = await db.warehouse.query<{ n: number }>(`SELECT count(*)::int AS n FROM fake."${name}" WHERE xmax <> '0'::xid`)
    expect(touched.rows[0].n).toBe(0)
    c.rows.get('r00003')!.name = 'changed'
    c.rows.get('r00003')!.updated_at = '2025-01-01T00:00:00.000000Z'
    expect(await run()).toMatchObject({ fetched: 1, updated: 1 })
    // the source now sends an OLDER version of r00003 (a stale replica): the warehouse keeps the newer one
    c.rows.get('r00003')!.name = 'stale'
    c.rows.get('r00003')!.updated_at = '2024-06-01T00:00:00.000000Z'
    expect(await run({ flags: { full: true } })).toMatchObject({ updated: 0 })
    expect((await rows()).find((r) => r.id === 'r00003')?.name).toBe('changed')
  })

  it.skipIf(!!reason)('--force overwrites every row, even unchanged and older ones', async () => {
    const { run } = setup({ rows: makeRows(15) })
    await run()
    expect(await run({ flags: { force: true } })).toMatchObject({ mode: 'force', fetched: 15, updated: 15, unchanged: 0 })
  })

  it.skipIf(!!reason)('soft-deletes rows a complete full pass did not see; a failed pass deletes nothing', async () => {
    const { c, run, rows } = setup({ rows: makeRows(30) })
    await run()
    c.rows.delete('r00005')
    c.rows.delete('r00025')
    c.beforePage = (pageNo) => {
      if (pageNo === 2) throw new SyncError('source_unavailable', 'boom')
    }
    expect(await run({ flags: { full: true } })).toMatchObject({ status: 'failed', deleted: 0 })
    expect((await rows()).filter((r) => r._deleted_at)).toHaveLength(0)
    c.beforePage = undefined
    // the interrupted pass is resumed by a plain run, and deletes only once it is complete
    const resumed = await run()
    expect(resumed).toMatchObject({ status: 'succeeded', mode: 'full', deleted: 2 })
    expect((await rows()).filter((r) => r._deleted_at).map((r) => r.id)).toEqual(['r00005', 'r00025'])
    expect(await rows()).toHaveLength(30)
    // a deleted row that comes back is live again
    c.rows.set('r00005', { id: 'r00005', updated_at: '2026-01-01T00:00:00.000000Z', name: 'back' })
    await run()
    expect((await rows()).find((r) => r.id === 'r00005')?._deleted_at).toBeNull()
  })

  it.skipIf(!!reason)('a run that finishes an interrupted pass reads on, so changes behind that pass land in the same run', async () => {
    for (const alwaysFull of [false, true]) {
      const { c, run, rows } = setup({ rows: makeRows(30) }, { alwaysFull, lookbackSeconds: 60 })
      await run()
      c.beforePage = (pageNo) => {
        if (pageNo === 2) throw new SyncError('source_unavailable', 'boom')
      }
      expect(await run({ flags: { full: true } })).toMatchObject({ status: 'failed', fetched: 10 })
      c.beforePage = undefined
      // behind the interrupted pass: r00004 is deleted at the source, and r00007 changes with a
      // stamp still before the pass's checkpoint (r00010), as a change that became visible late
      // does; the resumed pass reads on from the checkpoint, only a read with lookback sees it
      c.rows.delete('r00004')
      Object.assign(c.rows.get('r00007')!, { name: 'changed', updated_at: '2024-01-01T00:00:08.500000Z' })
      const resumed = await run()
      expect([alwaysFull, resumed]).toMatchObject([alwaysFull, { status: 'succeeded', mode: 'full', deleted: 1 }])
      const after = await rows()
      expect([alwaysFull, after.find((r) => r.id === 'r00007')?.name]).toEqual([alwaysFull, 'changed'])
      // r00004 was seen by the pass before its pause: only the whole read that follows a resumed pass can tell it is gone
      expect([alwaysFull, after.filter((r) => r._deleted_at).map((r) => r.id)]).toEqual([alwaysFull, ['r00004']])
    }
  })

  it.skipIf(!!reason)('a pass paused twice, with deletes and a re-insert of a deleted key during the pauses, converges in the run that completes it', async () => {
    const { c, run, rows } = setup({ rows: makeRows(40) })
    await run()
    expect(await run({ flags: { full: true }, maxRecords: 12 })).toMatchObject({ status: 'partial', errorCode: 'max_records', fetched: 12 })
    c.rows.delete('r00003')
    c.rows.delete('r00030')
    expect(await run({ maxRecords: 9 })).toMatchObject({ status: 'partial', mode: 'full', fetched: 9 })
    c.rows.delete('r00015')
    c.rows.delete('r00008')
    c.rows.set('r00003', { id: 'r00003', updated_at: '2026-01-01T00:00:00.000000Z', name: 'back again' })
    const done = await run()
    expect(done).toMatchObject({ status: 'succeeded', mode: 'full', deleted: 3 })
    const after = await rows()
    expect(after.filter((r) => r._deleted_at).map((r) => r.id)).toEqual(['r00008', 'r00015', 'r00030'])
    expect(after.find((r) => r.id === 'r00003')).toMatchObject({ name: 'back again', _deleted_at: null })
  })

  it.skipIf(!!reason)('--max-records stops at exactly N records, mid-page, ends partial, and the next run carries on from the last one', async () => {
    const { run, rows, state } = setup({ rows: makeRows(35) })
    const cut = await run({ maxRecords: 15 })
    expect(cut).toMatchObject({ status: 'partial', errorCode: 'max_records', mode: 'full', fetched: 15, inserted: 15 })
    expect(cut.error).toMatch(/--max-records/)
    expect(await rows()).toHaveLength(15)
    expect((await state()).cursor).toMatchObject({ id: 'r00015' })
    const rest = await run()
    expect(rest).toMatchObject({ status: 'succeeded', mode: 'full', inserted: 20 })
    expect(await rows()).toHaveLength(35)
    // a limit that ends exactly where the source ends is a complete read
    expect(await run({ flags: { full: true }, maxRecords: 35 })).toMatchObject({ status: 'succeeded', fetched: 35 })
  })

  it.skipIf(!!reason)('a stop that lands inside a read (the read fails because it was aborted) ends cancelled, never failed', async () => {
    const { c, run, rows } = setup({ rows: makeRows(30) })
    const controller = new AbortController()
    c.beforePage = (pageNo) => {
      if (pageNo !== 2) return
      controller.abort()
      // what the S3 reader throws when its request is aborted under it
      throw new SyncError('source_unavailable', 'reading the query result from S3 failed: aborted')
    }
    const stopped = await run({ signal: controller.signal, retry: () => 1 })
    expect(stopped).toMatchObject({ status: 'cancelled', errorCode: 'cancelled', fetched: 10 })
    expect(stopped.error).not.toMatch(/S3/)
    expect(await rows()).toHaveLength(10)
  })

  it.skipIf(!!reason)('a stop before a stream starts leaves it cancelled in the summary, so the command does not exit 0', async () => {
    const { run, rows } = setup({ rows: makeRows(5) })
    const controller = new AbortController()
    controller.abort()
    expect(await run({ signal: controller.signal })).toMatchObject({ status: 'cancelled', errorCode: 'cancelled', fetched: 0 })
    await expect(rows()).rejects.toThrow()
  })

  it.skipIf(!!reason)('a source that fails before any stream starts (credentials refused) leaves failed runs in the history', async () => {
    const refusing = { ...createFakeConnector({ rows: new Map(), pagesServed: 0 }), name: 'refusing', streams: async () => { throw new SyncError('auth_failed', 'the source refused the token (HTTP 401)') } }
    const sync = (streams?: string[]) =>
      runSync([{ connector: refusing, config: {}, streams, settings: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10 } }], { warehouse: db.warehouse, log: silentLogger(), events: createEngineEvents() }).then((r) => r.runs)
    const first = await sync()
    expect(first).toMatchObject([{ source: 'refusing', stream: '*', status: 'failed', errorCode: 'auth_failed' }])
    expect(first[0].runId).toBeGreaterThan(0)
    const named = await sync(['contacts', 'deals'])
    expect(named.map((r) => [r.stream, r.status, r.errorCode])).toEqual([['contacts', 'failed', 'auth_failed'], ['deals', 'failed', 'auth_failed']])
    const rows = await db.warehouse.query<{ stream: string; status: string; error_code: string }>(`SELECT stream, status, error_code FROM crmsync.sync_runs WHERE source = 'refusing' ORDER BY id`)
    expect(rows.rows).toEqual([
      { stream: '*', status: 'failed', error_code: 'auth_failed' },
      { stream: 'contacts', status: 'failed', error_code: 'auth_failed' },
      { stream: 'deals', status: 'failed', error_code: 'auth_failed' },
    ])
    // with no stream named, the streams the warehouse knows of the source stand in
    expect((await sync()).map((r) => r.stream).sort()).toEqual(['*', 'contacts', 'deals'])
  })

  it.skipIf(!!reason)('a run asked to stop whose process then exited (a second Ctrl-C) is marked cancelled by the next run, not failed', async () => {
    const { run, name } = setup({ rows: makeRows(3) })
    const dead = await db.warehouse.query<{ id: number }>(
      `INSERT INTO crmsync.sync_runs (source, stream, mode, status, heartbeat_at, stop_requested_at) VALUES ('fake', $1, 'full', 'running', now() - interval '1 minute', now()) RETURNING id`,
      [name],
    )
    await run()
    const row = await db.warehouse.query<{ status: string; error_code: string }>(`SELECT status, error_code FROM crmsync.sync_runs WHERE id = $1`, [dead.rows[0].id])
    expect(row.rows[0]).toEqual({ status: 'cancelled', error_code: 'cancelled' })
  })

  it.skipIf(!!reason)('keeps the live and soft-deleted row counts in stream_state exact, page by page, so views never count the table', async () => {
    const { c, run, name, rows } = setup({ rows: makeRows(30) })
    const check = async (what: string) => {
      const kept = await db.warehouse.query<{ live: number; deleted: number }>(`SELECT live_rows::int AS live, deleted_rows::int AS deleted FROM crmsync.stream_state WHERE source = 'fake' AND stream = $1`, [name])
      const real = await db.warehouse.query<{ live: number; deleted: number }>(
        `SELECT count(*) FILTER (WHERE _deleted_at IS NULL)::int AS live, count(*) FILTER (WHERE _deleted_at IS NOT NULL)::int AS deleted FROM fake."${name}"`,
      )
      expect([what, kept.rows[0]]).toEqual([what, real.rows[0]])
    }
    await run()
    await check('first load (copied straight in)')
    c.rows.set('r00031', { id: 'r00031', updated_at: '2025-01-01T00:00:00.000000Z', name: 'new' })
    Object.assign(c.rows.get('r00002')!, { name: 'changed', updated_at: '2025-01-01T00:00:01.000000Z' })
    await run()
    await check('an insert and an update')
    c.rows.delete('r00005')
    c.rows.delete('r00006')
    await run({ flags: { full: true } })
    await check('a full pass that soft-deleted two rows')
    c.rows.set('r00005', { id: 'r00005', updated_at: '2025-02-01T00:00:00.000000Z', name: 'back' })
    await run({ dryRun: true })
    await check('a dry run changes nothing')
    await run()
    await check('a deleted row back to life')
    await run({ flags: { force: true } })
    await check('a forced pass')
  })

  it.skipIf(!!reason)('refuses to soft-delete most of a table at once unless forced', async () => {
    const { c, run, rows } = setup({ rows: makeRows(20) })
    await run()
    for (let i = 1; i <= 15; i++) c.rows.delete(`r${String(i).padStart(5, '0')}`)
    const refused = await run({ flags: { full: true } })
    expect(refused).toMatchObject({ status: 'partial', errorCode: 'deletions_refused', deleted: 0 })
    expect((await rows()).filter((r) => r._deleted_at)).toHaveLength(0)
    expect(await run({ flags: { force: true } })).toMatchObject({ status: 'succeeded', deleted: 15 })
  })

  it.skipIf(!!reason)('nulls a field that does not fit (noted in _meta), rejects a record whose cursor the warehouse refuses; the run ends partial', async () => {
    const { c, run, rows, name } = setup({ rows: makeRows(12) })
    c.inject = (row) =>
      row.id === 'r00004'
        ? { values: { parent: null, ...row, amount: 'twelve' }, raw: row }
        : row.id === 'r00007'
          ? { values: { parent: null, ...row, updated_at: '2024-13-45T99:00:00Z' }, raw: row }
          : undefined
    const summary = await run()
    expect(summary).toMatchObject({ status: 'partial', fetched: 12, inserted: 11, rejected: 1, coerced: 1 })
    expect(await rows()).toHaveLength(11)
    // one field that does not fit costs that field, not the record: its value stays in _raw
    const noted = await db.warehouse.query(`SELECT id, amount, _meta FROM fake."${name}" WHERE _meta IS NOT NULL`)
    expect(noted.rows).toEqual([
      { id: 'r00004', amount: null, _meta: { changes: [{ field: 'amount', change: 'nulled', reason: 'not a decimal number' }] } },
    ])
    const rejects = await db.warehouse.query<{ record_key: string; reason: string; raw: unknown }>(`SELECT record_key, reason, raw FROM crmsync.rejects WHERE stream = $1 ORDER BY record_key`, [name])
    // this one passes the schema's shape check, so it is PostgreSQL that refuses it, and only it
    expect(rejects.rows).toHaveLength(1)
    expect(rejects.rows[0]).toMatchObject({ record_key: 'r00007' })
    expect(rejects.rows[0].reason).toMatch(/the warehouse refused the row/)
    // the payload as the source sent it, read back from the row's COPY line
    expect(rejects.rows[0].raw).toEqual(c.rows.get('r00007'))
    const history = await db.warehouse.query<{ coerced: number }>(`SELECT coerced FROM crmsync.sync_runs WHERE id = $1`, [summary.runId])
    expect(Number(history.rows[0].coerced)).toBe(1)
  })

  it.skipIf(!!reason)('--dry-run reads and counts but writes nothing: it is recorded as a run marked dry, with its counts and log', async () => {
    const { run, rows, state, name } = setup({ rows: makeRows(25) })
    const summary = await run({ dryRun: true })
    expect(summary).toMatchObject({ status: 'succeeded', dryRun: true, fetched: 25, inserted: 25, runId: expect.any(Number) })
    const table = await db.warehouse.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'fake' AND table_name = $1`, [name])
    expect(table.rows).toHaveLength(0)
    expect(await state()).toBeUndefined()
    const runs = await db.warehouse.query(`SELECT id, dry_run, status, mode, fetched, inserted, pages FROM crmsync.sync_runs WHERE stream = $1`, [name])
    expect(runs.rows).toEqual([{ id: summary.runId, dry_run: true, status: 'succeeded', mode: 'full', fetched: 25, inserted: 25, pages: 0 }])
    // its pages rolled back with its batches; its log did not
    expect((await db.warehouse.query(`SELECT 1 FROM crmsync.run_pages WHERE run_id = $1`, [summary.runId])).rows).toHaveLength(0)
    expect((await db.warehouse.query(`SELECT 1 FROM crmsync.run_logs WHERE run_id = $1`, [summary.runId])).rows.length).toBeGreaterThan(1)
    const real = await run()
    expect(real).toMatchObject({ status: 'succeeded', dryRun: false, mode: 'full', inserted: 25 })
    expect(await rows()).toHaveLength(25)
  })

  it.skipIf(!!reason)("a dry run after a failed run does not hide the failure: the stream's last run is still the failed one", async () => {
    const { c, run, name, rows } = setup({ rows: makeRows(30) })
    c.beforePage = (pageNo) => {
      if (pageNo === 2) throw new SyncError('source_unavailable', 'connection reset by emulated fault')
    }
    expect(await run()).toMatchObject({ status: 'failed' })
    c.beforePage = undefined
    expect(await run({ dryRun: true })).toMatchObject({ status: 'succeeded', dryRun: true })
    const shown = (await listStreamOverview(db.warehouse)).find((s) => s.source === 'fake' && s.stream === name)
    expect(shown).toMatchObject({ last_status: 'failed' })
    expect(await run()).toMatchObject({ status: 'succeeded' })
    expect(await rows()).toHaveLength(30)
  })

  it.skipIf(!!reason)('a second concurrent run of the same stream refuses with a clear message', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const { c, run } = setup({ rows: makeRows(5) })
    // the first run reads (so it holds the stream) before the second starts: waited for, not slept on
    let reading!: () => void
    const firstReads = new Promise<void>((resolve) => (reading = resolve))
    c.beforePage = async () => {
      reading()
      await gate
    }
    const first = run()
    await firstReads
    const second = await run()
    expect(second).toMatchObject({ status: 'skipped', errorCode: 'busy' })
    expect(second.error).toMatch(/already being synced by run \d+/)
    release()
    expect(await first).toMatchObject({ status: 'succeeded' })
  })

  it.skipIf(!!reason)('a backfill window loads its rows and leaves the stored cursor alone', async () => {
    const { c, run, state } = setup({ rows: makeRows(10) })
    await run()
    const before = (await state()).cursor
    c.rows.get('r00002')!.name = 'fixed'
    const backfill = await run({ flags: { since: '2024-01-01T00:00:00Z', until: '2024-01-01T00:00:04.500000Z' } })
    expect(backfill).toMatchObject({ mode: 'backfill', status: 'succeeded', fetched: 4, updated: 1 })
    expect((await state()).cursor).toEqual(before)
  })

  it.skipIf(!!reason)('an incremental run re-reads its lookback window, and rows changed during a run are caught by the next', async () => {
    const { c, run, name } = setup({ rows: makeRows(20) })
    c.beforePage = (pageNo) => {
      // while page 2 is being read, the source changes a row already read (page 1) and one not yet read
      if (pageNo === 2) {
        Object.assign(c.rows.get('r00001')!, { name: 'edited during run', updated_at: '2024-01-01T00:00:30.000000Z' })
        Object.assign(c.rows.get('r00015')!, { name: 'also edited', updated_at: '2024-01-01T00:00:31.000000Z' })
      }
    }
    await run()
    c.beforePage = undefined
    const stored = await db.warehouse.query<{ name: string }>(`SELECT name FROM fake."${name}" WHERE id IN ('r00001', 'r00015') ORDER BY id`)
    // r00015 moved ahead of the cursor and was read in this run; r00001 moved ahead too
    expect(stored.rows.map((r) => r.name)).toEqual(['edited during run', 'also edited'])
    Object.assign(c.rows.get('r00010')!, { name: 'late', updated_at: '2024-01-01T00:00:25.000000Z' })
    const lookback = await runSync([{ connector: createFakeConnector(c, [createFakeStream(c, { name })]), config: {}, settings: { lookbackSeconds: 10, horizonSeconds: 0, batchSize: 10 } }], {
      warehouse: db.warehouse,
      log: silentLogger(),
      events: createEngineEvents(),
    })
    // a row that became visible late with a timestamp behind the cursor is caught by the lookback
    expect(lookback.runs[0]).toMatchObject({ mode: 'incremental', updated: 1 })
  })

  it.skipIf(!!reason)('marks a run whose process died as failed when the next run takes the stream', async () => {
    const { run, name } = setup({ rows: makeRows(3) })
    const dead = await db.warehouse.query<{ id: number }>(
      `INSERT INTO crmsync.sync_runs (source, stream, mode, status, heartbeat_at) VALUES ('fake', $1, 'full', 'running', now() - interval '10 minutes') RETURNING id`,
      [name],
    )
    await run()
    const row = await db.warehouse.query<{ status: string; error_code: string }>(`SELECT status, error_code FROM crmsync.sync_runs WHERE id = $1`, [dead.rows[0].id])
    expect(row.rows[0]).toEqual({ status: 'failed', error_code: 'abandoned' })
  })

  it.skipIf(!!reason)('write mode replace soft-deletes the children a parent no longer lists', async () => {
    const c: FakeSourceControls = { rows: new Map(), pagesServed: 0 }
    const add = (id: string, parent: string, t: string) => c.rows.set(id, { id, parent, name: id, updated_at: t })
    add('e1-1', 'e1', '2024-01-01T00:00:01Z')
    add('e1-2', 'e1', '2024-01-01T00:00:01Z')
    add('e2-1', 'e2', '2024-01-01T00:00:02Z')
    const name = `children_${++tableNo}`
    const stream = createFakeStream(c, { name, write: 'replace', replaceScope: 'parent' })
    const sync = () =>
      runSync([{ connector: createFakeConnector(c, [stream]), config: {}, settings: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10 } }], {
        warehouse: db.warehouse,
        log: silentLogger(),
        events: createEngineEvents(),
      })
    await sync()
    // e1 is re-read with one child only
    c.rows.delete('e1-2')
    c.rows.get('e1-1')!.updated_at = '2024-02-01T00:00:00Z'
    const second = await sync()
    expect(second.runs[0]).toMatchObject({ fetched: 1, deleted: 1 })
    const live = await db.warehouse.query<{ id: string }>(`SELECT id FROM fake."${name}" WHERE _deleted_at IS NULL ORDER BY id`)
    expect(live.rows.map((r) => r.id)).toEqual(['e1-1', 'e2-1'])
    const kept = await db.warehouse.query(`SELECT live_rows::int AS live, deleted_rows::int AS deleted FROM crmsync.stream_state WHERE source = 'fake' AND stream = $1`, [name])
    expect(kept.rows[0]).toEqual({ live: 2, deleted: 1 })
  })
})
