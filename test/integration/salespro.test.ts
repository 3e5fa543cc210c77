import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { retryDelay } from '../../src/ops/automation/retry-rules.ts'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

const fastRetry = (error: Parameters<typeof retryDelay>[0], attempt: number) => retryDelay(error, attempt, { scale: 0.001 })

describe.each(WAREHOUSE_KINDS)('salespro over the Athena emulator, into %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  let source: SalesProFixture
  beforeAll(async () => {
    if (reason) return
    ;[db, source] = await Promise.all([createTestWarehouse(kind), startSalesPro()])
  })
  afterAll(async () => {
    await db?.drop()
    await source?.emulator.close()
  })
  const count = async (table: string, where = '"_deleted_at" IS NULL') =>
    (await db.warehouse.query<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.${table} WHERE ${where}`)).rows[0].n

  it.skipIf(!!reason)(`a full sync loads every table with the emulator's row counts, one Athena query per stream ${reason ?? ''}`, async () => {
    await source.admin('/_admin/stats', undefined, 'DELETE')
    const runs = await source.sync(db.warehouse)
    expect(runs.map((r) => [r.stream, r.status])).toEqual([
      ['customer', 'succeeded'],
      ['credit_application', 'succeeded'],
      ['estimate', 'succeeded'],
      ['lead_result', 'succeeded'],
      ['lead_result_line_item', 'succeeded'],
      ['payment', 'succeeded'],
      ['user_activity', 'succeeded'],
    ])
    const tables = await source.emulator.tables()
    for (const [stream, n] of Object.entries(tables)) expect([stream, await count(stream)]).toEqual([stream, n])
    const stats = await source.admin('/_admin/stats')
    expect(stats.queries).toHaveLength(7)
    expect(stats.requests['s3:GetObject']).toBe(7)
    // results come from S3; the one small GetQueryResults per keyed table reads its column metadata (schema evolution)
    expect(stats.requests.GetQueryResults ?? 0).toBe(4)
  })

  it.skipIf(!!reason)('keeps NULL and "" apart, reads false as false, and types every column', async () => {
    const { rows } = await db.warehouse.query<Record<string, unknown>>(
      `SELECT _raw, sale_amount, is_sale, has_credit_app, document_count, updated_at FROM salespro.estimate`,
    )
    const raw = (r: Record<string, unknown>) => r._raw as Record<string, string | null>
    const falseSale = rows.find((r) => raw(r).is_sale === 'false')
    expect(falseSale?.is_sale).toBe(false)
    expect(rows.find((r) => raw(r).is_sale === 'true')?.is_sale).toBe(true)
    const withAmount = rows.find((r) => raw(r).sale_amount !== null)!
    expect(withAmount.sale_amount).toBe(raw(withAmount).sale_amount)
    const customers = await db.warehouse.query<{ customer_first_name: string | null; raw_first: string | null }>(
      `SELECT customer_first_name, _raw->>'customer_first_name' AS raw_first FROM salespro.customer`,
    )
    const empty = customers.rows.filter((r) => r.raw_first === '')
    const nulls = customers.rows.filter((r) => r.raw_first === null)
    expect(empty.length).toBeGreaterThan(0)
    expect(nulls.length).toBeGreaterThan(0)
    expect(empty.every((r) => r.customer_first_name === '')).toBe(true)
    expect(nulls.every((r) => r.customer_first_name === null)).toBe(true)
  })

  it.skipIf(!!reason)('normalizes every lead result into its columns and line items, keeping the raw JSON', async () => {
    const { rows } = await db.warehouse.query<{ status_bucket: string | null; appointment_result: string | null; lead_results_raw: unknown; job_size: string | null }>(
      `SELECT status_bucket, appointment_result, lead_results_raw, job_size FROM salespro.lead_result`,
    )
    expect(rows.every((r) => Array.isArray(r.lead_results_raw))).toBe(true)
    const tagged = rows.filter((r) => r.appointment_result?.startsWith('['))
    expect(tagged.length).toBeGreaterThan(0)
    expect(tagged.every((r) => r.status_bucket === r.appointment_result?.match(/^\[[A-Z]+\]/)?.[0])).toBe(true)
    expect(rows.some((r) => r.job_size !== null)).toBe(true)
    const unmapped = await db.warehouse.query<{ n: number }>(`SELECT count(*)::int AS n FROM salespro.lead_result WHERE unmapped_answers IS NOT NULL`)
    expect(unmapped.rows[0].n).toBe(0)
  })

  it.skipIf(!!reason)('an incremental run after source changes fetches those rows, not the table, and brings the new values', async () => {
    const change = await source.admin('/_admin/mutate', { table: 'customer', updates: 40, inserts: 7 })
    const [run] = await source.sync(db.warehouse, ['customer'])
    expect(run).toMatchObject({ mode: 'incremental', status: 'succeeded', inserted: 7, updated: 40 })
    expect(run.fetched).toBeGreaterThanOrEqual(47)
    expect(run.fetched).toBeLessThan(300)
    for (const { key, values } of [...change.updated, ...change.inserted].slice(0, 10)) {
      const row = await db.warehouse.query<{ customer_last_name: string | null; company_name: string | null }>(
        `SELECT customer_last_name, company_name FROM salespro.customer WHERE customer_id = $1`,
        [key],
      )
      expect(row.rows[0]).toEqual({ customer_last_name: values.customer_last_name, company_name: values.company_name })
    }
  })

  it.skipIf(!!reason)('reads every row of a timestamp shared by more rows than a page holds, once', async () => {
    // after every change so far (the mutations above are stamped now), so an incremental run reaches it
    const at = new Date(Date.now() + 3_600_000).toISOString().replace('T', ' ').replace('Z', '')
    const inserted = Array.from({ length: 23 }, (_, i) => ({ customer_id: `TIE${String(i).padStart(7, '0')}`, customer_last_name: `Tie ${i}`, created_at: at, updated_at: at }))
    await source.admin('/_admin/mutate', { table: 'customer', inserts: inserted, at })
    const [run] = await source.sync(db.warehouse, ['customer'], { batchSize: 5 })
    expect(run).toMatchObject({ status: 'succeeded', inserted: 23 })
    expect(await count('customer', `customer_id LIKE 'TIE%'`)).toBe(23)
    const again = await source.sync(db.warehouse, ['customer'], { batchSize: 5, lookbackSeconds: 0 })
    expect(again[0]).toMatchObject({ inserted: 0, updated: 0 })
  })

  it.skipIf(!!reason)('rejects malformed rows with their reasons while the rest load; the run is partial', async () => {
    await source.admin('/_admin/mutate', {
      table: 'estimate',
      inserts: [
        { estimate_id: null, customer_last_name: 'no key' },
        { estimate_id: 'GOODEST001', customer_last_name: 'fine' },
      ],
    })
    await source.admin('/_admin/mutate', { table: 'lead_results', inserts: [{ estimate_id: 'BADJSON001', lead_results: '[{"title": "Result", "value": ' }] })
    const runs = await source.sync(db.warehouse, ['estimate', 'lead_result'])
    expect(runs[0]).toMatchObject({ stream: 'estimate', status: 'partial', rejected: 1 })
    expect(runs[1]).toMatchObject({ stream: 'lead_result', status: 'partial', rejected: 1 })
    expect(await count('estimate', `estimate_id = 'GOODEST001'`)).toBe(1)
    const rejects = await db.warehouse.query<{ stream: string; record_key: string | null; reason: string }>(
      `SELECT stream, record_key, reason FROM crmsync.rejects ORDER BY id`,
    )
    expect(rejects.rows.find((r) => r.stream === 'estimate')?.reason).toMatch(/estimate_id is missing \(NULL\)/)
    expect(rejects.rows.find((r) => r.stream === 'lead_result')).toMatchObject({ record_key: 'BADJSON001' })
  })

  it.skipIf(!!reason)('falls back to paged GetQueryResults when the result file in S3 is not readable', async () => {
    await source.admin('/_admin/source-faults', { s3Unavailable: true })
    await source.admin('/_admin/stats', undefined, 'DELETE')
    try {
      const [run] = await source.sync(db.warehouse, ['payment'], { flags: { full: true } })
      expect(run).toMatchObject({ status: 'succeeded', fetched: (await source.emulator.tables()).payment, inserted: 0, updated: 0 })
      const stats = await source.admin('/_admin/stats')
      expect(stats.requests.GetQueryResults).toBeGreaterThan(0)
    } finally {
      await source.admin('/_admin/source-faults', undefined, 'DELETE')
    }
  })

  it.skipIf(!!reason)('rides out Athena throttling (the SDK retries) and retries a FAILED query from the last committed page', async () => {
    await source.admin('/_admin/faults', { throttle: { count: 2, path: '^/$' } })
    await source.admin('/_admin/source-faults', { failQueries: { count: 1 } })
    const changed = await source.admin('/_admin/mutate', { table: 'payments', updates: 5 })
    try {
      const [run] = await source.sync(db.warehouse, ['payment'], { retry: fastRetry })
      expect(run).toMatchObject({ status: 'succeeded', updated: 5, attempts: 2 })
      expect(changed.updated).toHaveLength(5)
    } finally {
      await source.admin('/_admin/faults', undefined, 'DELETE')
      await source.admin('/_admin/source-faults', undefined, 'DELETE')
    }
  })

  it.skipIf(!!reason)('a query Athena refuses (Retryable false) fails the run at once with Athena’s reason', async () => {
    await source.admin('/_admin/source-faults', { failQueries: { rate: 1, reason: 'TABLE_NOT_FOUND: line 1:15: Table awsdatacatalog.home_genius_db.payments does not exist' } })
    try {
      const [run] = await source.sync(db.warehouse, ['payment'], { retry: fastRetry })
      expect(run).toMatchObject({ status: 'failed', errorCode: 'query_refused', attempts: 1 })
      expect(run.error).toMatch(/TABLE_NOT_FOUND/)
    } finally {
      await source.admin('/_admin/source-faults', undefined, 'DELETE')
    }
  })

  it.skipIf(!!reason)('a query that keeps failing retryably fails the run after its attempts, with Athena’s reason', async () => {
    await source.admin('/_admin/source-faults', { failQueries: { rate: 1, reason: 'GENERIC_INTERNAL_ERROR: worker lost' } })
    try {
      const [run] = await source.sync(db.warehouse, ['payment'], { retry: fastRetry })
      expect(run).toMatchObject({ status: 'failed', errorCode: 'query_failed', attempts: 4 })
      expect(run.error).toMatch(/GENERIC_INTERNAL_ERROR/)
    } finally {
      await source.admin('/_admin/source-faults', undefined, 'DELETE')
    }
  })

  it.skipIf(!!reason)('a connection dropped mid-result resumes from the last committed page with a new query', async () => {
    await source.admin('/_admin/mutate', { table: 'user_activity', inserts: 150 })
    await source.admin('/_admin/source-faults', { s3DropAfterBytes: { count: 1, bytes: 9000 } })
    await source.admin('/_admin/stats', undefined, 'DELETE')
    try {
      const [run] = await source.sync(db.warehouse, ['user_activity'], { retry: fastRetry, batchSize: 20 })
      expect(run).toMatchObject({ status: 'succeeded', attempts: 2, inserted: 150 })
      expect((await source.admin('/_admin/stats')).queries).toHaveLength(2)
      expect(await count('user_activity')).toBe((await source.emulator.tables()).user_activity)
    } finally {
      await source.admin('/_admin/source-faults', undefined, 'DELETE')
    }
  })

  it.skipIf(!!reason)('a full pass soft-deletes rows deleted at the source; a failed pass deletes nothing', async () => {
    const gone = await source.admin('/_admin/mutate', { table: 'credit_applications', deletes: 3 })
    await source.admin('/_admin/source-faults', { failQueries: { rate: 1 } })
    const [failed] = await source.sync(db.warehouse, ['credit_application'], { flags: { full: true } })
    expect(failed).toMatchObject({ status: 'failed', deleted: 0 })
    await source.admin('/_admin/source-faults', undefined, 'DELETE')
    const [run] = await source.sync(db.warehouse, ['credit_application'])
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', deleted: 3 })
    const deleted = await db.warehouse.query<{ leap_credit_app_id: string }>(`SELECT leap_credit_app_id FROM salespro.credit_application WHERE _deleted_at IS NOT NULL ORDER BY 1`)
    expect(deleted.rows.map((r) => r.leap_credit_app_id)).toEqual([...gone.deleted].sort())
    expect(await count('credit_application')).toBe((await source.emulator.tables()).credit_application)
  })
})
