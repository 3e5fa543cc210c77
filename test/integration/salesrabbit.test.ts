import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { salesrabbit } from '../../src/connectors/salesrabbit/index.ts'
import type { ConnectorEvent, RunContext } from '../../src/connectors/types.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { SyncError } from '../../src/errors.ts'
import { silentLogger } from '../../src/log.ts'
import { retryDelay } from '../../src/ops/automation/retry-rules.ts'
import { leadDrift, startSalesRabbit, type SalesRabbitFixture } from '../helpers/salesrabbit.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

const fastRetry = (error: Parameters<typeof retryDelay>[0], attempt: number) => retryDelay(error, attempt, { scale: 0.001 })

const context = (): RunContext => ({
  signal: new AbortController().signal,
  log: silentLogger(),
  now: () => new Date(),
  report: () => {},
})

describe.each(WAREHOUSE_KINDS)('salesrabbit over its emulator, into %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let source: SalesRabbitFixture
  beforeAll(async () => {
    if (reason) return
    ;[db, source] = await Promise.all([createTestWarehouse(kind), startSalesRabbit()])
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })
  const count = async (table: string, where = 'true') =>
    (await db.warehouse.query<{ n: number }>(`SELECT count(*)::int AS n FROM salesrabbit.${table} WHERE ${where}`)).rows[0].n
  const leadRequests = async () => (await source.admin('/_admin/stats')).byRoute['GET /leads'] ?? {}

  it.skipIf(!!reason)(`a full sync loads every lead and user with typed columns ${reason ?? ''}`, async () => {
    await source.admin('/_admin/stats/reset', {})
    const runs = await source.sync(db.warehouse)
    expect(runs.map((r) => [r.stream, r.mode, r.status])).toEqual([
      ['leads', 'full', 'succeeded'],
      ['users', 'full', 'succeeded'],
    ])
    const tables = await source.emulator.tables()
    expect(await count('leads')).toBe(tables.leads)
    expect(await count('users')).toBe(tables.users)
    expect((await leadRequests())['200']).toBe(Math.ceil(tables.leads / 500))

    const types = await db.warehouse.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'salesrabbit' AND table_name = 'leads'`,
    )
    const typeOf = Object.fromEntries(types.rows.map((r) => [r.column_name, r.data_type]))
    expect(typeOf).toMatchObject({
      id: 'bigint',
      latitude: 'double precision',
      custom_fields: 'jsonb',
      date_of_birth: 'date',
      date_modified: 'timestamp with time zone',
      deleted_at: 'timestamp with time zone',
    })
    const exact = await count(
      'leads',
      `date_modified = (_raw->>'dateModified')::timestamptz AND custom_fields = (_raw->'customFields')::jsonb
       AND files = (_raw->'files')::jsonb AND latitude IS NOT DISTINCT FROM (_raw->>'latitude')::float8 AND user_id = (_raw->>'userId')::bigint
       AND email = _raw->>'email' AND deleted_at IS NULL AND _deleted_at IS NULL`,
    )
    expect(exact).toBe(tables.leads)
    expect(await count('leads', `custom_fields <> '{}'::jsonb`)).toBeGreaterThan(0)
    expect(await count('leads', `date_of_birth IS NOT NULL`)).toBeGreaterThan(0)
    expect(await count('users', `active AND external_ids IS NOT NULL AND date_modified IS NOT NULL`)).toBeGreaterThan(0)
  })

  it.skipIf(!!reason)('users stop paging despite the every-page quirk: a handful of requests, each user once', async () => {
    await source.admin('/_admin/stats/reset', {})
    const events = createEngineEvents()
    const paced: ConnectorEvent[] = []
    events.on('connector', (event) => void (event.type === 'rate_limit_wait' && paced.push(event)))
    const [run] = await source.sync(db.warehouse, ['users'], { batchSize: 10, events, config: { requestsPerMinute: 120 } })
    const users = (await source.emulator.tables()).users
    expect(users).toBeGreaterThan(10)
    expect(run).toMatchObject({ mode: 'full', status: 'succeeded', fetched: users, deleted: 0 })
    // page 2 repeats page 1 (every user, morePages still true): the listing ends there
    expect((await source.admin('/_admin/stats')).byRoute['GET /users']).toEqual({ '200': 2 })
    // requestsPerMinute spaced the second request half a second after the first
    expect(paced).toMatchObject([{ reason: 'pacing to 120 requests a minute' }])
  })

  it.skipIf(!!reason)('an incremental run brings exactly the changes; deleted leads are soft-deleted', async () => {
    const change = await source.admin('/_admin/mutate', { table: 'leads', updates: 40, inserts: 12, deletes: 6 })
    await source.admin('/_admin/stats/reset', {})
    const [run] = await source.sync(db.warehouse, ['leads'])
    expect(run).toMatchObject({ mode: 'incremental', status: 'succeeded', inserted: 12, updated: 40, deleted: 6 })
    expect(run.fetched).toBeGreaterThanOrEqual(58)
    expect(run.fetched).toBeLessThan(300)
    expect(await leadRequests()).toEqual({ '200': 1 })
    expect(await leadDrift(source, db.warehouse)).toEqual([])
    const deleted = await db.warehouse.query<{ id: string }>(
      `SELECT id::text AS id FROM salesrabbit.leads WHERE deleted_at IS NOT NULL AND _deleted_at IS NOT NULL ORDER BY id`,
    )
    expect(deleted.rows.map((r) => Number(r.id))).toEqual([...change.deleted].sort((a, b) => a - b))
  })

  it.skipIf(!!reason)('a lead changed during a run on a page already read is caught by the next run', async () => {
    const firstPage = (await source.leadPage(1, 500)).slice(0, 5).map((lead) => lead.id as number)
    const lastPage = (await source.leadPage(7, 500)).map((lead) => lead.id as number)
    expect(lastPage.length).toBeGreaterThan(0)
    const events = createEngineEvents()
    let mutations: Promise<unknown> | undefined
    events.on('page:committed', ({ pageNo }) => {
      if (pageNo !== 1) return
      // page 1 is read: change five of its leads, and stamp one lead of the last page later still
      // (a source clock ahead of the run): the newest stamp seen must not become the watermark
      const later = new Date(Date.now() + 20_000).toISOString()
      const updates = firstPage.map((id) => ({ id, set: { notes: 'changed mid-run' } }))
      const ahead = { table: 'leads', updates: [{ id: lastPage[0], set: { notes: 'stamped ahead' } }], at: later }
      mutations = source
        .admin('/_admin/mutate', { table: 'leads', updates })
        .then(() => source.admin('/_admin/mutate', ahead))
    })
    await source.admin('/_admin/faults', { latencyMs: 60 })
    try {
      const [run] = await source.sync(db.warehouse, ['leads'], { flags: { full: true }, events })
      await mutations
      expect(run).toMatchObject({ status: 'succeeded', deleted: 0 })
    } finally {
      await source.admin('/_admin/faults', undefined, 'DELETE')
    }
    const notes = async (ids: number[]) => {
      const sql = `SELECT notes FROM salesrabbit.leads WHERE id = ANY($1::bigint[])`
      return (await db.warehouse.query<{ notes: string | null }>(sql, [ids])).rows.map((r) => r.notes)
    }
    expect(await notes(firstPage)).not.toContain('changed mid-run')
    expect(await notes([lastPage[0]])).toEqual(['stamped ahead'])
    // no lookback: the watermark alone (never past the run's start on the source's clock) must catch them
    const [next] = await source.sync(db.warehouse, ['leads'], { lookbackSeconds: 0 })
    expect(next).toMatchObject({ mode: 'incremental', status: 'succeeded' })
    expect(next.updated).toBeGreaterThanOrEqual(5)
    expect(await notes(firstPage)).toEqual(firstPage.map(() => 'changed mid-run'))
    expect(await leadDrift(source, db.warehouse)).toEqual([])
  })

  it.skipIf(!!reason)('a 429 with Retry-After slows the run down but loses nothing', async () => {
    await source.admin('/_admin/mutate', { table: 'leads', updates: 10 })
    await source.admin('/_admin/faults', { throttle: { count: 2, retryAfterSeconds: 1, path: '^/leads$' } })
    const events = createEngineEvents()
    const waits: ConnectorEvent[] = []
    events.on('connector', (event) => void (event.type === 'rate_limit_wait' && waits.push(event)))
    await source.admin('/_admin/stats/reset', {})
    try {
      const [run] = await source.sync(db.warehouse, ['leads'], { events })
      expect(run).toMatchObject({ status: 'succeeded', attempts: 1 })
      expect(run.updated).toBeGreaterThanOrEqual(10)
      expect(run.durationMs).toBeGreaterThanOrEqual(2000)
    } finally {
      await source.admin('/_admin/faults', undefined, 'DELETE')
    }
    expect(waits).toMatchObject([{ ms: 1000 }, { ms: 1000 }])
    expect(await leadRequests()).toEqual({ '200': 1, '429': 2 })
    expect(await leadDrift(source, db.warehouse)).toEqual([])
  })

  it.skipIf(!!reason)('malformed leads without a usable id or dateModified are rejected naming the field; a bad field is nulled; the rest load', async () => {
    await source.admin('/_admin/source-faults', { malformed: { count: 4 } })
    const [run] = await source.sync(db.warehouse, ['leads'], { flags: { full: true } })
    await source.admin('/_admin/source-faults', undefined, 'DELETE')
    expect(run).toMatchObject({ status: 'partial', errorCode: 'rejected_records', rejected: 3, coerced: 1, deleted: 0 })
    const { rows } = await db.warehouse.query<{ reason: string; record_key: string | null }>(
      `SELECT reason, record_key FROM crmsync.rejects WHERE run_id = $1 ORDER BY id`,
      [run.runId],
    )
    expect(rows.map((r) => r.reason).sort()).toEqual([
      'dateModified: "0000-00-00 00:00:00" is not a timestamp with a zone',
      'dateModified: missing',
      'id: "SR-900000001" is not an integer',
    ])
    // the phantom lead whose latitude is text is kept, with that one field NULL and noted
    const noted = await db.warehouse.query<{ id: string; latitude: number | null; _meta: unknown }>(
      `SELECT id::text, latitude, _meta FROM salesrabbit.leads WHERE _meta IS NOT NULL`,
    )
    expect(noted.rows).toEqual([{ id: expect.any(String), latitude: null, _meta: { changes: [{ field: 'latitude', change: 'nulled', reason: 'not a number' }] } }])
    const live = await count('leads', 'deleted_at IS NULL')
    expect(await count('leads', '_deleted_at IS NULL AND deleted_at IS NULL')).toBe(live)
    expect(await count('leads')).toBe((await source.emulator.tables()).leads + 1)
    // gone from the source with its fault, the phantom is soft-deleted by the next full pass
    const [clean] = await source.sync(db.warehouse, ['leads'], { flags: { full: true } })
    expect(clean).toMatchObject({ status: 'succeeded', rejected: 0, coerced: 0, deleted: 1 })
    expect(await leadDrift(source, db.warehouse)).toEqual([])
  })

  it.skipIf(!!reason)('a fetch error fails the run (never an empty success), and the failed full pass deletes nothing', async () => {
    const live = await count('leads', '_deleted_at IS NULL')
    await source.admin('/_admin/faults', { error5xx: { rate: 1, path: '^/leads$' } })
    try {
      const [run] = await source.sync(db.warehouse, ['leads'], { flags: { full: true } })
      expect(run).toMatchObject({ status: 'failed', errorCode: 'source_unavailable', fetched: 0, deleted: 0 })
      expect(run.error).toBe(
        'SalesRabbit GET /leads?page=1&perPage=500 failed 2 times (last: 503 Service Unavailable: emulated 503 fault)',
      )
    } finally {
      await source.admin('/_admin/faults', undefined, 'DELETE')
    }
    expect(await count('leads', '_deleted_at IS NULL')).toBe(live)
  })

  it.skipIf(!!reason)('a 5xx, a dropped connection or a cut-short body mid-run resumes from the last committed page', async () => {
    const faults: [string, unknown][] = [
      ['/_admin/faults', { error5xx: { count: 2, path: '^/leads$' } }],
      ['/_admin/faults', { drop: { count: 2, path: '^/leads$' } }],
      ['/_admin/source-faults', { brokenJson: { count: 2, path: '^/leads$' } }],
    ]
    const total = (await source.emulator.tables()).leads
    for (const [path, fault] of faults) {
      const events = createEngineEvents()
      const pages: number[] = []
      let armed: Promise<unknown> | undefined
      events.on('page:committed', ({ pageNo, cursor }) => {
        if ('page' in (cursor as object)) pages.push((cursor as { page: number }).page)
        if (pageNo === 2) armed = source.admin(path, fault)
      })
      const [run] = await source.sync(db.warehouse, ['leads'], { flags: { full: true }, retry: fastRetry, events })
      await armed
      await source.admin(path, undefined, 'DELETE')
      // every lead fetched exactly once: the retry went on after the last committed page, not from page 1
      const expected = { status: 'succeeded', attempts: 2, fetched: total, deleted: 0 }
      expect([JSON.stringify(fault), run]).toMatchObject([JSON.stringify(fault), expected])
      expect(pages).toEqual([...new Set(pages)].sort((a, b) => a - b))
    }
    expect(await leadDrift(source, db.warehouse)).toEqual([])
  })

  it.skipIf(!!reason)('a run that finishes an interrupted read also picks up what changed on the pages that read had committed', async () => {
    // Offset paging: leads on the pages the stopped run committed are behind the resumed paging.
    // Changed after that, only a read from the watermark finds them, and it must be the same run.
    const total = (await source.emulator.tables()).leads
    for (const flags of [{ full: true }, {}]) {
      const stop = new AbortController()
      const events = createEngineEvents()
      events.on('page:committed', ({ pageNo }) => void (pageNo === 2 && stop.abort()))
      const [stopped] = await source.sync(db.warehouse, ['leads'], { flags, events, signal: stop.signal, batchSize: 100 })
      expect(stopped).toMatchObject({ status: 'cancelled', fetched: 200 })
      await source.admin('/_admin/mutate', { table: 'leads', updates: total })
      const [next] = await source.sync(db.warehouse, ['leads'], { batchSize: 100 })
      expect([JSON.stringify(flags), next.status]).toEqual([JSON.stringify(flags), 'succeeded'])
      expect(await leadDrift(source, db.warehouse)).toEqual([])
    }
  })

  it.skipIf(!!reason)('a missing token is a config error; a wrong one fails with auth_failed and is never shown', async () => {
    const missing = (() => {
      try {
        salesrabbit.loadConfig({ SALESRABBIT_API_URL: source.emulator.url }, {})
      } catch (error) {
        return error
      }
    })()
    expect(missing).toBeInstanceOf(SyncError)
    expect(missing).toMatchObject({
      code: 'config_invalid',
      message: expect.stringMatching(/^SALESRABBIT_API_TOKEN is not set/),
    })

    const wrong = 'sr-wrong-token-5f1c9a77'
    const refused = salesrabbit.check(source.config({ apiToken: wrong }), context())
    await expect(refused).rejects.toMatchObject({ code: 'auth_failed' })
    await expect(salesrabbit.check(source.config(), context())).resolves.toBe('REST API reachable')
    const [run] = await source.sync(db.warehouse, ['leads'], { config: { apiToken: wrong } })
    expect(run).toMatchObject({ status: 'failed', errorCode: 'auth_failed', fetched: 0 })
    expect(run.error).toMatch(/SalesRabbit refused the token .*check SALESRABBIT_API_TOKEN/)
    expect(run.error).not.toContain(wrong)
  })
})

describe.each(WAREHOUSE_KINDS)('salesrabbit when the server ignores If-Modified-Since, into %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let source: SalesRabbitFixture
  beforeAll(async () => {
    if (reason) return
    const emulator = startSalesRabbit({ rows: 1500, seed: 3, honorIfModifiedSince: false })
    ;[db, source] = await Promise.all([createTestWarehouse(kind), emulator])
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })

  it.skipIf(!!reason)(`the incremental run reads everything but keeps only the changes ${reason ?? ''}`, async () => {
    const [full] = await source.sync(db.warehouse, ['leads'])
    expect(full).toMatchObject({ mode: 'full', status: 'succeeded', fetched: 1500 })
    await source.admin('/_admin/mutate', { table: 'leads', updates: 15, inserts: 4, deletes: 2 })
    await source.admin('/_admin/stats/reset', {})
    const [run] = await source.sync(db.warehouse, ['leads'])
    expect(run).toMatchObject({ mode: 'incremental', status: 'succeeded', inserted: 4, updated: 15, deleted: 2 })
    expect(run.fetched).toBeLessThan(100)
    // the server sent every page: the client-side filter is what kept the run to the changes
    expect((await source.admin('/_admin/stats')).byRoute['GET /leads']).toEqual({ '200': Math.ceil(1504 / 500) })
    expect(await leadDrift(source, db.warehouse)).toEqual([])
  })

  it.skipIf(!!reason)('a backfill reads its window only, client-side too, and leaves the cursor alone', async () => {
    const state = async () => {
      const sql = `SELECT cursor FROM crmsync.stream_state WHERE source = 'salesrabbit' AND stream = 'leads'`
      return (await db.warehouse.query<{ cursor: unknown }>(sql)).rows[0].cursor
    }
    const before = await state()
    const [since, until] = ['2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z']
    const inside = [...(await source.sourceLeads()).values()].filter((lead) => {
      const modified = Date.parse(lead.dateModified as string)
      return modified >= Date.parse(since) && modified < Date.parse(until)
    })
    expect(inside.length).toBeGreaterThan(0)
    const [run] = await source.sync(db.warehouse, ['leads'], { flags: { since, until } })
    expect(run).toMatchObject({ mode: 'backfill', status: 'succeeded', fetched: inside.length, inserted: 0, updated: 0 })
    expect(await state()).toEqual(before)
  })
})
