import { GetQueryResultsCommand, type AthenaClient, type ColumnInfo } from '@aws-sdk/client-athena'
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../shared/http.ts'
import { DRIFT_TEXTS } from './added-values.ts'
import { startSalesProEmulator } from './index.ts'
import { admin, runQuery, s3Location, sdkClients } from './test-helpers.ts'

/** `POST /_admin/alter`, seen the way crmsync sees it: through the official Athena and S3 clients. */
let emulator: RunningEmulator
let athena: AthenaClient
let s3: S3Client

beforeAll(async () => {
  emulator = await startSalesProEmulator({ rows: 150, seed: 4 })
  ;({ athena, s3 } = sdkClients(emulator))
})
afterAll(() => emulator?.close())

const AT = '2026-12-01 09:15:00.250'
type Touched = { key: string; values: Record<string, string | null> }

async function alterStatus(body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${emulator.url}/_admin/alter`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })
  return { status: response.status, body: await response.json() }
}

/** a query's ColumnInfo and rows (as objects by column name) through GetQueryResults, and its CSV from S3 */
async function select(sql: string) {
  const execution = await runQuery(athena, emulator, sql)
  expect(execution.Status?.State).toBe('SUCCEEDED')
  const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: execution.QueryExecutionId }))
  const columns = page.ResultSet!.ResultSetMetadata!.ColumnInfo!
  const object = await s3.send(
    new GetObjectCommand(s3Location(execution.ResultConfiguration!.OutputLocation!)),
  )
  const csv = await object.Body!.transformToString()
  const rows = page
    .ResultSet!.Rows!.slice(1)
    .map((row) => Object.fromEntries(columns.map((c, i) => [c.Name!, row.Data![i].VarCharValue ?? null])))
  return { columns, rows, csv: parse(csv) as string[][] }
}
const describeColumn = (c: ColumnInfo) => [c.Name, c.Type, c.Precision, c.Scale, c.CaseSensitive]

describe('POST /_admin/alter', () => {
  it('adds columns of every Athena type: SELECT * reports them like Athena, the CSV carries them, touched rows hold values', async () => {
    const add = [
      { name: 'loyalty_tier', type: 'VARCHAR' },
      { name: 'loyalty_points', type: 'INTEGER' },
      { name: 'lifetime_visits', type: 'bigint' },
      { name: 'churn_score', type: 'DOUBLE' },
      { name: 'is_vip', type: 'BOOLEAN' },
      { name: 'credit_limit', type: 'DECIMAL(10, 3)' },
      { name: 'last_contacted_at', type: 'TIMESTAMP' },
      { name: 'renewal_date', type: 'DATE' },
    ]
    const before = await emulator.tables()
    const result = await admin(emulator, 'POST', '/_admin/alter', {
      table: 'customer',
      add,
      touch: 40,
      at: AT,
    })
    expect(result).toMatchObject({
      table: 'customer',
      added: add.map((c) => c.name),
      retyped: [],
      dropped: [],
    })
    expect(result.touched).toHaveLength(40)
    for (const { key, values } of result.touched as Touched[]) {
      expect(key).toMatch(/^[A-Za-z0-9]{10}$/)
      expect(Object.keys(values).sort()).toEqual([...add.map((c) => c.name), 'updated_at'].sort())
      expect(values.updated_at).toBe(AT)
    }
    const all = (result.touched as Touched[]).map((t) => t.values)
    const filled = (name: string) => all.map((v) => v[name]).filter((v) => v !== null) as string[]
    // realistic values, some left empty
    for (const { name } of add) expect(filled(name).length, name).toBeGreaterThan(20)
    expect(add.some(({ name }) => filled(name).length < 40)).toBe(true)
    expect(new Set(filled('loyalty_tier'))).toEqual(new Set(['Bronze', 'Silver', 'Gold', 'Platinum']))
    expect(filled('loyalty_points').every((v) => /^\d+$/.test(v))).toBe(true)
    expect(filled('credit_limit').every((v) => /^\d+\.\d{3}$/.test(v))).toBe(true)
    expect(filled('is_vip').every((v) => v === 'true' || v === 'false')).toBe(true)
    expect(filled('last_contacted_at').every((v) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/.test(v))).toBe(
      true,
    )
    expect(filled('renewal_date').every((v) => /^\d{4}-\d\d-\d\d$/.test(v))).toBe(true)

    const { columns, rows, csv } = await select('SELECT * FROM customer ORDER BY customer_id')
    expect(columns.slice(-add.length).map(describeColumn)).toEqual([
      ['loyalty_tier', 'varchar', 2147483647, 0, true],
      ['loyalty_points', 'integer', 10, 0, false],
      ['lifetime_visits', 'bigint', 19, 0, false],
      ['churn_score', 'double', 17, 0, false],
      ['is_vip', 'boolean', 0, 0, false],
      ['credit_limit', 'decimal', 10, 3, false],
      ['last_contacted_at', 'timestamp', 3, 0, false],
      ['renewal_date', 'date', 0, 0, false],
    ])
    expect(columns.at(-1)).toMatchObject({ CatalogName: 'hive', Label: 'renewal_date', Nullable: 'UNKNOWN' })
    expect(csv[0]).toEqual(columns.map((c) => c.Name))
    expect(csv).toHaveLength(rows.length + 1)
    const byKey = new Map(rows.map((row) => [row.customer_id, row]))
    for (const { key, values } of result.touched as Touched[]) expect(byKey.get(key)).toMatchObject(values)
    // untouched rows have the new columns, empty
    const touchedKeys = new Set((result.touched as Touched[]).map((t) => t.key))
    const untouched = rows.filter((row) => !touchedKeys.has(row.customer_id!))
    expect(untouched.every((row) => add.every(({ name }) => row[name] === null))).toBe(true)
    // an incremental read from `at` sees exactly the touched rows
    const since = await select(`SELECT customer_id FROM customer WHERE updated_at >= TIMESTAMP '${AT}'`)
    expect(new Set(since.rows.map((r) => r.customer_id))).toEqual(touchedKeys)
    expect(await emulator.tables()).toEqual(before)
  })

  it('retypes columns: ColumnInfo follows, values are converted, and a VARCHAR retype of a number drifts to text on touched rows', async () => {
    const { rows: original } = await select(
      'SELECT estimate_id, document_count, sale_amount, zip_code FROM estimate',
    )
    const retype = [
      { name: 'document_count', type: 'VARCHAR' },
      { name: 'sale_amount', type: 'DOUBLE' },
      { name: 'zip_code', type: 'INTEGER' },
    ]
    const result = await admin(emulator, 'POST', '/_admin/alter', {
      table: 'estimate',
      retype,
      touch: 20,
      at: AT,
    })
    expect(result).toMatchObject({ added: [], retyped: ['document_count', 'sale_amount', 'zip_code'] })
    const touched = result.touched as Touched[]
    expect(touched).toHaveLength(20)
    const drifted = touched.filter(
      (t) => t.values.document_count !== null && !/^\d+$/.test(t.values.document_count),
    )
    // every fifth touched row: a few, not all
    expect(drifted).toHaveLength(4)
    for (const { values } of drifted) expect(DRIFT_TEXTS).toContain(values.document_count)

    const { columns, rows } = await select('SELECT * FROM estimate')
    const info = (name: string) => describeColumn(columns.find((c) => c.Name === name)!)
    expect(info('document_count')).toEqual(['document_count', 'varchar', 2147483647, 0, true])
    expect(info('sale_amount')).toEqual(['sale_amount', 'double', 17, 0, false])
    expect(info('zip_code')).toEqual(['zip_code', 'integer', 10, 0, false])
    expect(info('finance_amount')).toEqual(['finance_amount', 'varchar', 2147483647, 0, true])
    const now = new Map(rows.map((row) => [row.estimate_id, row]))
    const touchedKeys = new Set(touched.map((t) => t.key))
    for (const row of original.filter((r) => !touchedKeys.has(r.estimate_id!))) {
      const after = now.get(row.estimate_id)!
      // BIGINT text stays the same text; the decimal's value survives as a double
      expect(after.document_count).toBe(row.document_count)
      expect(after.sale_amount === null ? null : Number(after.sale_amount)).toBe(
        row.sale_amount === null ? null : Number(row.sale_amount),
      )
    }
    // a zip code read as a number loses its leading zero; one that was not a number is NULL
    const zips = original
      .filter((r) => r.zip_code !== null)
      .map((r) => [r.zip_code, now.get(r.estimate_id)!.zip_code])
    expect(zips.filter(([zip]) => zip!.startsWith('0')).length).toBeGreaterThan(0)
    for (const [zip, after] of zips) expect(after).toBe(zip === '' ? null : String(Number(zip)))
  })

  it('drops columns; later mutations fill added columns in new rows and leave dropped ones out', async () => {
    const result = await admin(emulator, 'POST', '/_admin/alter', {
      table: 'payments',
      add: [{ name: 'refund_amount', type: 'DECIMAL(12,2)' }],
      drop: ['payment_description', 'company_name'],
    })
    expect(result).toMatchObject({
      added: ['refund_amount'],
      dropped: ['payment_description', 'company_name'],
      touched: [],
    })
    const { columns } = await select('SELECT * FROM payments LIMIT 1')
    const names = columns.map((c) => c.Name)
    expect(names).not.toContain('payment_description')
    expect(names).not.toContain('company_name')
    expect(names.at(-1)).toBe('refund_amount')

    const before = await emulator.tables()
    const changed = await admin(emulator, 'POST', '/_admin/mutate', {
      table: 'payments',
      updates: 5,
      inserts: 20,
      at: AT,
    })
    expect(changed.updated).toHaveLength(5)
    expect(changed.inserted).toHaveLength(20)
    for (const row of [...changed.updated, ...changed.inserted]) {
      expect(Object.keys(row.values)).toEqual(names)
    }
    const refunds = changed.inserted.map((row: Touched) => row.values.refund_amount)
    expect(refunds.filter((v: string | null) => v !== null && /^\d+\.\d{2}$/.test(v)).length).toBeGreaterThan(
      10,
    )
    expect((await emulator.tables()).payment).toBe(before.payment + 20)
    // child rows still find parents whose columns were retyped
    const estimates = await admin(emulator, 'POST', '/_admin/mutate', { table: 'lead_results', inserts: 2 })
    expect(estimates.inserted).toHaveLength(2)
  })

  it('refuses bad requests with 400 naming the problem, and changes nothing', async () => {
    const shape = async () => (await select('SELECT * FROM customer LIMIT 1')).columns.map(describeColumn)
    const before = { shape: await shape(), tables: await emulator.tables() }
    const cases: [unknown, RegExp][] = [
      [{ table: 'customers' }, /expected one of "customer"\|/],
      [{ table: 'customer', add: [{ name: 'tier', type: 'FLOAT' }] }, /unknown Athena type "FLOAT"/],
      [
        { table: 'customer', add: [{ name: 'tier', type: 'DECIMAL(40,2)' }] },
        /unknown Athena type "DECIMAL\(40,2\)"/,
      ],
      [
        { table: 'customer', add: [{ name: 'Tier Name', type: 'VARCHAR' }] },
        /lower-case letters, digits and _/,
      ],
      [
        { table: 'customer', add: [{ name: 'crm_source', type: 'VARCHAR' }] },
        /customer already has a column crm_source/,
      ],
      [{ table: 'customer', drop: ['customer_id'] }, /customer_id is customer's key: it cannot be dropped/],
      [
        { table: 'customer', drop: ['updated_at'] },
        /updated_at is customer's cursor column .*cannot be dropped/,
      ],
      [{ table: 'user_activity', drop: ['created_at'] }, /created_at is user_activity's cursor column/],
      [{ table: 'customer', retype: [{ name: 'customer_id', type: 'BIGINT' }] }, /key: it cannot be retyped/],
      [
        { table: 'customer', retype: [{ name: 'created_at', type: 'BIGINT' }] },
        /TIMESTAMP: its values cannot be read as BIGINT/,
      ],
      [
        { table: 'customer', retype: [{ name: 'nope', type: 'VARCHAR' }] },
        /customer has no column nope to retype/,
      ],
      [{ table: 'customer', drop: ['nope'] }, /customer has no column nope to drop/],
      [{ table: 'user_activity', touch: 3 }, /append-only log/],
      [{ table: 'customer', touch: -1 }, /touch/],
      [{ table: 'customer', rename: ['x'] }, /rename/],
      // a good part does not slip through beside a bad one
      [
        {
          table: 'customer',
          add: [{ name: 'fine_column', type: 'VARCHAR' }],
          drop: ['customer_id'],
          touch: 5,
        },
        /customer_id is customer's key/,
      ],
    ]
    for (const [body, message] of cases) {
      const { status, body: answer } = await alterStatus(body)
      expect([JSON.stringify(body), status]).toEqual([JSON.stringify(body), 400])
      expect(answer.error).toMatch(message)
    }
    expect(await shape()).toEqual(before.shape)
    expect(await emulator.tables()).toEqual(before.tables)
  })
})

describe('alterations are reproducible for a seed', () => {
  it('touches the same rows with the same values in two emulators with the same seed', async () => {
    const runs = []
    for (let i = 0; i < 2; i++) {
      const twin = await startSalesProEmulator({ rows: 80, seed: 9, only: ['customer', 'estimate'] })
      try {
        const call = (body: unknown) => admin(twin, 'POST', '/_admin/alter', body)
        runs.push([
          await call({
            table: 'customer',
            add: [{ name: 'loyalty_tier', type: 'VARCHAR' }],
            touch: 10,
            at: AT,
          }),
          await call({
            table: 'estimate',
            retype: [{ name: 'document_count', type: 'VARCHAR' }],
            touch: 10,
            at: AT,
          }),
        ])
      } finally {
        await twin.close()
      }
    }
    expect(runs[1]).toEqual(runs[0])
  })
})
