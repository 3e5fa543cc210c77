import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hubspot } from '../../src/connectors/hubspot/index.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import type { SyncError } from '../../src/errors.ts'
import { silentLogger } from '../../src/log.ts'
import { retryDelay } from '../../src/ops/automation/retry-rules.ts'
import { startHubSpot, type HubSpotFixture } from '../helpers/hubspot.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

const fastRetry = (error: Parameters<typeof retryDelay>[0], attempt: number) => retryDelay(error, attempt, { scale: 0.001 })
const TIE_AT = '2026-03-31T23:17:42.318Z'
const ctx = { signal: new AbortController().signal, log: silentLogger(), now: () => new Date(), report: () => {} }

describe.each(WAREHOUSE_KINDS)('hubspot over the HubSpot emulator, into %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let source: HubSpotFixture
  beforeAll(async () => {
    if (reason) return
    ;[db, source] = await Promise.all([createTestWarehouse(kind), startHubSpot()])
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })
  const query = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.warehouse.query<T & object>(sql, params)).rows as T[]
  const count = async (table: string, where = '"_deleted_at" IS NULL') => (await query<{ n: number }>(`SELECT count(*)::int AS n FROM hubspot.${table} WHERE ${where}`))[0].n
  // an association table holds one row per link type, as the emulator counts them
  const live = count

  it.skipIf(!!reason)(`a full sync loads every stream with the emulator's counts, with typed columns ${reason ?? ''}`, async () => {
    await source.admin('/_admin/stats/reset', {})
    const runs = await source.sync(db.warehouse)
    expect(runs.map((r) => [r.stream, r.status, r.mode])).toEqual(
      ['contacts', 'companies', 'deals', 'appointments', 'divisions', 'genius_users', 'owners', 'assoc_contact_appointment', 'assoc_contact_division', 'assoc_deal_contact', 'assoc_deal_company'].map(
        (s) => [s, 'succeeded', 'full'],
      ),
    )
    const tables = await source.emulator.tables()
    for (const [stream, n] of Object.entries(tables)) expect([stream, await live(stream)]).toEqual([stream, n])
    const types = await query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'hubspot'
       AND (table_name, column_name) IN (('contacts','price'),('contacts','clickcheck'),('contacts','appointment_date'),('deals','closedate'),('contacts','id'),('contacts','services_interested'),('owners','teams'))`,
    )
    expect(Object.fromEntries(types.map((t) => [`${t.table_name}.${t.column_name}`, t.data_type]))).toEqual({
      'contacts.price': 'numeric',
      'contacts.clickcheck': 'boolean',
      'contacts.appointment_date': 'date',
      'contacts.id': 'bigint',
      'contacts.services_interested': 'text',
      'deals.closedate': 'timestamp with time zone',
      'owners.teams': 'jsonb',
    })
    const [row] = await query<{ price: string; raw_price: string; clickcheck: boolean; raw_click: string; closed: boolean }>(
      `SELECT c.price::text AS price, c._raw->'properties'->>'price' AS raw_price, c.clickcheck, c._raw->'properties'->>'clickcheck' AS raw_click,
         (SELECT bool_and(d.closedate = (d._raw->'properties'->>'closedate')::timestamptz) FROM hubspot.deals d WHERE d.closedate IS NOT NULL) AS closed
       FROM hubspot.contacts c WHERE c.price IS NOT NULL AND c.clickcheck = false LIMIT 1`,
    )
    expect(row).toMatchObject({ price: row.raw_price, clickcheck: false, raw_click: 'false', closed: true })
    const stats = await source.admin('/_admin/stats')
    expect(stats.rateLimited).toBe(0)
  })

  it.skipIf(!!reason)('a --since/--until backfill reads exactly the records modified in its window', async () => {
    const until = new Date(Date.parse(TIE_AT) + 1).toISOString()
    const [run] = await source.sync(db.warehouse, ['contacts'], { flags: { since: TIE_AT, until } })
    expect(run).toMatchObject({ status: 'succeeded', mode: 'backfill', fetched: await count('contacts', `updated_at = '${TIE_AT}'`) })
    expect(run.fetched).toBeGreaterThan(0)
  })

  it.skipIf(!!reason)('records modified while a run pages are caught by the next run', async () => {
    await source.admin('/_admin/mutate', { table: 'contacts', updates: 120 })
    await source.admin('/_admin/faults', { latencyMs: 40 })
    const events = createEngineEvents()
    let during: Promise<{ updated: { id: string; properties: Record<string, string | null> }[] }> | undefined
    let first: Awaited<ReturnType<HubSpotFixture['sync']>>[number]
    events.on('page:committed', ({ stream, pageNo }) => {
      if (stream === 'contacts' && pageNo === 1) during = source.admin('/_admin/mutate', { table: 'contacts', updates: 40 })
    })
    try {
      ;[first] = await source.sync(db.warehouse, ['contacts'], { events, batchSize: 20 })
      expect(first).toMatchObject({ status: 'succeeded', mode: 'incremental' })
      expect(first.fetched).toBeGreaterThanOrEqual(100)
    } finally {
      await source.admin('/_admin/faults', undefined, 'DELETE')
    }
    const changed = (await during)!.updated
    // changed after the first run fixed its window: none of them could be read by it
    const windowEnd = Number((first.cursorTo as { from: string }).from)
    expect(changed.every((c) => Date.parse(c.properties.lastmodifieddate!) >= windowEnd)).toBe(true)
    const [second] = await source.sync(db.warehouse, ['contacts'])
    expect(second.status).toBe('succeeded')
    expect(second.fetched).toBeGreaterThanOrEqual(40)
    const rows = await query<{ id: string; updated_at: Date; props: Record<string, string | null> }>(
      `SELECT id::text, updated_at, _raw->'properties' AS props FROM hubspot.contacts WHERE id = ANY($1::bigint[])`,
      [changed.map((c) => c.id)],
    )
    expect(rows).toHaveLength(40)
    for (const change of changed) {
      const row = rows.find((r) => r.id === change.id)!
      expect(row.updated_at.toISOString()).toBe(change.properties.lastmodifieddate)
      for (const [name, value] of Object.entries(change.properties)) expect([change.id, name, row.props[name]]).toEqual([change.id, name, value])
    }
  })

  it.skipIf(!!reason)('an archived record is soft-deleted, and comes back live when restored', async () => {
    const { deleted } = await source.admin('/_admin/mutate', { table: 'deals', deletes: 3 })
    const [run] = await source.sync(db.warehouse, ['deals'])
    expect(run).toMatchObject({ status: 'succeeded', deleted: 3 })
    const gone = await query<{ id: string; archived: boolean; archived_at: Date | null; _deleted_at: Date | null }>(
      `SELECT id::text, archived, archived_at, _deleted_at FROM hubspot.deals WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [deleted],
    )
    expect(gone.map((r) => [r.archived, r.archived_at !== null, r._deleted_at !== null])).toEqual(deleted.map(() => [true, true, true]))
    expect(await count('deals')).toBe((await source.emulator.tables()).deals)
    await source.admin('/_admin/mutate', { table: 'deals', restores: [deleted[0]] })
    const [back] = await source.sync(db.warehouse, ['deals'])
    expect(back).toMatchObject({ status: 'succeeded', updated: 1 })
    const [row] = await query<{ archived: boolean; archived_at: Date | null; _deleted_at: Date | null }>(
      `SELECT archived, archived_at, _deleted_at FROM hubspot.deals WHERE id = $1`,
      [deleted[0]],
    )
    expect(row).toEqual({ archived: false, archived_at: null, _deleted_at: null })
    expect(await count('deals')).toBe((await source.emulator.tables()).deals)
  })

  it.skipIf(!!reason)('a removed association is soft-deleted by the next run; a new one arrives', async () => {
    // links of the deals archived above are gone too: a baseline run first, so only the mutation counts
    await source.sync(db.warehouse, ['assoc_deal_contact'])
    const removed = await source.admin('/_admin/mutate', { table: 'assoc_deal_contact', deletes: 4, inserts: 2 })
    const [run] = await source.sync(db.warehouse, ['assoc_deal_contact'])
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', deleted: 4, inserted: 2 })
    for (const pair of removed.deleted) expect(await count('assoc_deal_contact', `from_id = ${pair.from} AND to_id = ${pair.to} AND _deleted_at IS NOT NULL`)).toBe(1)
    expect(await count('assoc_deal_contact')).toBe((await source.emulator.tables()).assoc_deal_contact)
  })

  it.skipIf(!!reason)('a value that does not parse is NULL with a _meta change naming the property; the record and the rest load', async () => {
    const [victim] = (await query<{ id: string }>(`SELECT id::text FROM hubspot.contacts WHERE _deleted_at IS NULL ORDER BY id LIMIT 1`)).map((r) => r.id)
    await source.admin('/_admin/mutate', { table: 'contacts', updates: [{ id: victim, properties: { price: '12,50 €' } }] })
    await source.admin('/_admin/mutate', { table: 'contacts', updates: 3 })
    const [run] = await source.sync(db.warehouse, ['contacts'])
    expect(run).toMatchObject({ status: 'succeeded', rejected: 0, coerced: 1 })
    expect(run.updated).toBeGreaterThanOrEqual(4)
    const row = async () => (await query<{ price: string | null; raw: string; _meta: unknown }>(`SELECT price::text, _raw->'properties'->>'price' AS raw, _meta FROM hubspot.contacts WHERE id = ${Number(victim)}`))[0]
    expect(await row()).toEqual({ price: null, raw: '12,50 €', _meta: { changes: [{ field: 'price', change: 'nulled', reason: 'not a decimal number' }] } })
    await source.admin('/_admin/mutate', { table: 'contacts', updates: [{ id: victim, properties: { price: '12.50' } }] })
    expect((await source.sync(db.warehouse, ['contacts']))[0]).toMatchObject({ status: 'succeeded', coerced: 0 })
    expect(await row()).toEqual({ price: '12.50', raw: '12.50', _meta: null })
  })

  it.skipIf(!!reason)('a 429 storm slows a full pass down but loses nothing', async () => {
    await source.admin('/_admin/stats/reset', {})
    await source.admin('/_admin/faults', { throttle: { count: 20 } })
    try {
      const runs = await source.sync(db.warehouse, ['companies', 'owners', 'divisions', 'assoc_deal_company'], { flags: { full: true } })
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded'])
      expect(runs.every((r) => r.attempts === 1)).toBe(true)
    } finally {
      await source.admin('/_admin/faults', undefined, 'DELETE')
    }
    expect((await source.admin('/_admin/stats')).rateLimited).toBe(20)
    const tables = await source.emulator.tables()
    for (const stream of ['companies', 'owners', 'divisions', 'assoc_deal_company']) expect([stream, await live(stream)]).toEqual([stream, tables[stream]])
  })

  it.skipIf(!!reason)('a 5xx burst mid-run resumes from the last committed page and ends complete', async () => {
    await source.admin('/_admin/stats/reset', {})
    const events = createEngineEvents()
    const retries: string[] = []
    events.on('run:retry', (e) => retries.push(e.code))
    events.on('page:committed', ({ stream, pageNo }) => {
      if (stream === 'contacts' && pageNo === 3) void source.admin('/_admin/faults', { error5xx: { count: 4, path: '^/crm/v3/objects/0-1$' } })
    })
    try {
      const [run] = await source.sync(db.warehouse, ['contacts'], { flags: { full: true }, batchSize: 20, events, retry: fastRetry })
      expect(run).toMatchObject({ status: 'succeeded', attempts: 2 })
    } finally {
      await source.admin('/_admin/faults', undefined, 'DELETE')
    }
    expect(retries).toEqual(['source_unavailable'])
    const stats = await source.admin('/_admin/stats')
    const pages = Math.ceil((await count('contacts', 'true')) / 20)
    // the pages before the failure were not read again: one list call per page, plus the 4 failed ones
    expect(stats.requests.byRoute['GET /crm/v3/objects/contacts']).toBeLessThanOrEqual(pages + 1 + 4 + 1)
    expect(await count('contacts')).toBe((await source.emulator.tables()).contacts)
  })

  it.skipIf(!!reason)('a dropped connection is retried by the client; the run does not notice', async () => {
    await source.admin('/_admin/faults', { drop: { count: 2, path: '^/crm/v3/owners' } })
    try {
      const [run] = await source.sync(db.warehouse, ['owners'])
      expect(run).toMatchObject({ status: 'succeeded', attempts: 1, fetched: (await source.emulator.tables()).owners })
    } finally {
      await source.admin('/_admin/faults', undefined, 'DELETE')
    }
  })

  it.skipIf(!!reason)('property lists too long for one URL are split, and the rows come out the same', async () => {
    await source.sync(db.warehouse, ['contacts'])
    await source.admin('/_admin/stats/reset', {})
    const [run] = await source.sync(db.warehouse, ['contacts'], { flags: { full: true }, file: { maxUrlLength: 500 } })
    expect(run).toMatchObject({ status: 'succeeded', inserted: 0, updated: 0, unchanged: (await source.emulator.tables()).contacts })
    const { byRoute } = (await source.admin('/_admin/stats')).requests
    expect(byRoute['POST /crm/v3/objects/contacts/batch/read']).toBe(byRoute['GET /crm/v3/objects/contacts'] - 1)
  })

  it.skipIf(!!reason)('a missing token is a config error; a wrong one fails with auth_failed and never shows the token', async () => {
    expect(() => hubspot.loadConfig({}, {})).toThrow(expect.objectContaining({ code: 'config_invalid', message: expect.stringContaining('HUBSPOT_API_TOKEN is not set') }))
    const wrong = 'pat-na1-00000000-not-the-right-one'
    const runs = await source.sync(db.warehouse, ['owners'], { env: { HUBSPOT_API_TOKEN: wrong } })
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ status: 'failed', errorCode: 'auth_failed' })
    expect(runs[0].error).toMatch(/HubSpot refused the token \(401\): check HUBSPOT_API_TOKEN/)
    expect(runs[0].error).not.toContain(wrong)
    const config = hubspot.loadConfig({ ...source.emulator.env, HUBSPOT_API_TOKEN: wrong }, {})
    const failure = (await hubspot.check(config, ctx).catch((e) => e)) as SyncError
    expect(failure.code).toBe('auth_failed')
    await expect(hubspot.check(hubspot.loadConfig(source.emulator.env, {}), ctx)).resolves.toBe('CRM API reachable')
  })

  // last of the block: the process's governor for this emulator remembers the used-up day, as it
  // must for a real account, so no request of a later test would get through
  it.skipIf(!!reason)('a used-up daily limit fails the run at once as daily_limit, never retried', async () => {
    const limits = await source.admin('/_admin/limits')
    // the day's count already holds this file's earlier requests: at most one more gets through
    await source.admin('/_admin/limits', { daily: 1 })
    try {
      const [run] = await source.sync(db.warehouse, ['contacts'], { flags: { full: true } })
      expect(run).toMatchObject({ status: 'failed', errorCode: 'daily_limit', attempts: 1 })
      expect(run.error).toMatch(/daily limit/)
    } finally {
      await source.admin('/_admin/limits', limits)
    }
  })
})
