import type { DuckDBConnection } from '@duckdb/node-api'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { athenaTableCounts, openDatabase, streamCounts, type SalesProDatabase } from './database.ts'
import { generateTables } from './generate-tables.ts'
import { createGenerators } from './generators.ts'
import {
  countLineItems,
  LEAD_RESULT_TITLES,
  LEGACY_JOB_TYPE_PATTERN,
  type LeadResultItem,
} from './lead-result-titles.ts'
import { createOrg } from './org.ts'
import { ATHENA_TABLES, TABLES, type AthenaTable } from './tables.ts'

interface Generated {
  db: SalesProDatabase
  connection: DuckDBConnection
}

const opened: { db: SalesProDatabase; dir: string }[] = []
const BULK = `TIMESTAMP '2025-06-30 23:59:59'`

async function generate(
  seed: number,
  rows: number,
  only: readonly AthenaTable[] = ATHENA_TABLES,
  malformed = 0,
): Promise<Generated> {
  const dir = await mkdtemp(join(tmpdir(), 'salespro-generator-test-'))
  const db = await openDatabase('home_genius_db', join(dir, 'results.duckdb'))
  opened.push({ db, dir })
  const connection = await db.connect()
  const options = { rows, only: new Set<AthenaTable>(only), malformed }
  await generateTables(connection, db, createGenerators(seed, createOrg(seed)), options)
  return { db, connection }
}

const all = async (g: Generated, sql: string) => (await g.connection.runAndReadAll(sql)).getRowsJS()
const one = async (g: Generated, sql: string) => (await all(g, sql))[0][0]
/** a fingerprint of a whole table, independent of storage order */
const fingerprint = (g: Generated, table: AthenaTable) =>
  one(g, `SELECT md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) FROM ${g.db.table(table)} t`)
const leadResults = async (g: Generated) =>
  (await all(g, `SELECT lead_results FROM ${g.db.table('lead_results')}`)).map(([text]) => text as string)

let full: Generated

beforeAll(async () => {
  full = await generate(11, 1000)
})
afterAll(async () => {
  for (const { db, dir } of opened) {
    db.close()
    await rm(dir, { recursive: true, force: true })
  }
})

describe('seeded SalesPro data', () => {
  it('is the same for the same seed and different for another', async () => {
    const again = await generate(11, 1000)
    const other = await generate(12, 1000)
    for (const table of ATHENA_TABLES) {
      expect(await fingerprint(again, table)).toBe(await fingerprint(full, table))
      expect(await fingerprint(other, table)).not.toBe(await fingerprint(full, table))
    }
  })

  it('gives a table the same rows whichever other tables are generated', async () => {
    const customersOnly = await generate(11, 1000, ['customer'])
    const leadsOnly = await generate(11, 1000, ['lead_results'])
    expect(await fingerprint(customersOnly, 'customer')).toBe(await fingerprint(full, 'customer'))
    expect(await fingerprint(leadsOnly, 'lead_results')).toBe(await fingerprint(full, 'lead_results'))
    expect(await one(customersOnly, `SELECT count(*) FROM ${customersOnly.db.table('estimate')}`)).toBe(0n)
  })

  it('has realistic proportions', async () => {
    const counts = await athenaTableCounts(full.connection, full.db)
    expect(counts.customer).toBe(1000)
    expect(counts.estimate / 1000).toBeCloseTo(1.4, 0)
    expect(counts.credit_applications).toBeGreaterThan(150)
    expect(counts.credit_applications).toBeLessThan(350)
    expect(counts.payments / 1000).toBeCloseTo(0.5, 0)
    expect(counts.user_activity / 1000).toBeCloseTo(2, 0)
    expect(counts.lead_results / counts.estimate).toBeCloseTo(0.9, 1)
  })

  it('keeps every row valid: unique non-empty keys, created ≤ updated, timestamps in range', async () => {
    for (const table of ATHENA_TABLES) {
      const { key, updatable } = TABLES[table]
      const t = full.db.table(table)
      if (key) {
        expect(await one(full, `SELECT count(*) - count(DISTINCT ${key}) FROM ${t}`)).toBe(0n)
        const odd = `SELECT count(*) FROM ${t} WHERE ${key} IS NULL OR length(${key}) <> 10`
        expect(await one(full, odd)).toBe(0n)
      }
      const updated = updatable ? 'updated_at' : 'created_at'
      const bad = `count(*) FILTER (WHERE created_at > ${updated} OR ${updated} IS NULL)`
      const range = `SELECT ${bad}, min(created_at), max(${updated}) FROM ${t}`
      const [[broken, min, max]] = await all(full, range)
      expect(broken).toBe(0n)
      expect((min as Date).getTime()).toBeGreaterThanOrEqual(Date.UTC(2023, 0, 1))
      expect((max as Date).getTime()).toBeLessThanOrEqual(Date.UTC(2026, 9, 31, 23, 59, 59, 999))
    }
  })

  it('shares one bulk-import updated_at across ~10% of each updatable table, plus natural ties', async () => {
    for (const table of ATHENA_TABLES.filter((t) => TABLES[t].updatable)) {
      const sql = `SELECT avg(CASE WHEN updated_at = ${BULK} THEN 1 ELSE 0 END) FROM ${full.db.table(table)}`
      const share = Number(await one(full, sql))
      expect(share, table).toBeGreaterThan(0.05)
      expect(share, table).toBeLessThan(0.15)
    }
    const ties = `SELECT count(*) FROM (SELECT updated_at FROM ${full.db.table('estimate')}
      WHERE updated_at <> ${BULK} GROUP BY 1 HAVING count(*) > 1)`
    expect(await one(full, ties)).toBeGreaterThan(0n)
  })

  it('has NULLs, empty strings and awkward text in optional columns', async () => {
    const [[nulls, empties, unicode, apostrophe, quote, comma]] = await all(
      full,
      `SELECT avg(CASE WHEN customer_first_name IS NULL THEN 1 ELSE 0 END),
         avg(CASE WHEN customer_first_name = '' THEN 1 ELSE 0 END),
         count(*) FILTER (WHERE customer_last_name = 'Nguyễn' OR customer_first_name = 'Zoë'),
         count(*) FILTER (WHERE customer_last_name LIKE '%''%'),
         count(*) FILTER (WHERE customer_first_name LIKE '%"%'),
         count(*) FILTER (WHERE customer_last_name LIKE '%,%')
       FROM ${full.db.table('customer')}`,
    )
    expect(Number(nulls)).toBeGreaterThan(0.02)
    expect(Number(nulls)).toBeLessThan(0.09)
    expect(Number(empties)).toBeGreaterThan(0.005)
    expect(Number(empties)).toBeLessThan(0.05)
    for (const n of [unicode, apostrophe, quote, comma]) expect(n).toBeGreaterThan(0n)
    const notes = full.db.table('credit_applications')
    const multiLine = `SELECT count(*) FROM ${notes} WHERE contains(credit_app_note, chr(10))`
    expect(await one(full, multiLine)).toBeGreaterThan(0n)
    const zips = `SELECT count(*) FROM ${full.db.table('estimate')} WHERE zip_code LIKE '0%'`
    expect(await one(full, zips)).toBeGreaterThan(0n)
  })

  it('exports finance_amount and down_payment as money text, each of eleven shapes about one time in eleven', async () => {
    const shapes: [string, RegExp][] = [
      ['dollar', /^\$\d{1,3}(,\d{3})*\.\d{2}$/],
      ['grouped', /^\d{1,3}(,\d{3})*\.\d{2}$/],
      ['float', /^\d+(\.\d{1,2})?$/],
      ['parenthesised', /^ \(\d+\.\d{2}\) $/],
      ['trailing minus', /^\d+\.\d{2}-$/],
      ['USD first', /^USD \d{1,3}(,\d{3})*\.\d{2}$/],
      ['USD last', /^\d{1,3}(,\d{3})*\.\d{2} USD$/],
      ['E notation', /^\d(\.\d+)?e-?\d+$/],
      ['empty', /^$/],
    ]
    for (const column of ['finance_amount', 'down_payment']) {
      const sql = `SELECT ${column} FROM ${full.db.table('estimate')} WHERE is_sale`
      const texts = (await all(full, sql)).map(([text]) => text as string | null)
      // every sale has a down payment, so NULL is one of its eleven shapes; only financed sales
      // have a finance amount, so there NULL also means "not financed" and the shapes are ten
      const present = column === 'down_payment' ? texts : texts.filter((t) => t !== null)
      const shapeCount = column === 'down_payment' ? 11 : 10
      const unmatched = present.filter((t) => t !== null && !shapes.some(([, re]) => re.test(t)))
      expect(unmatched, column).toEqual([])
      const share = (test: (t: string | null) => boolean) => present.filter(test).length / present.length
      const counts: [string, (t: string | null) => boolean, number][] = shapes.map(([name, re]) => [
        name,
        (t) => t !== null && re.test(t),
        // "750.5" and "1234.56" are both plain numbers
        name === 'float' ? 2 : 1,
      ])
      if (column === 'down_payment') counts.push(['NULL', (t) => t === null, 1])
      for (const [name, test, shapesOfIt] of counts) {
        const expected = shapesOfIt / shapeCount
        expect(share(test), `${column} ${name}`).toBeGreaterThan(expected * 0.5)
        expect(share(test), `${column} ${name}`).toBeLessThan(expected * 1.6)
      }
    }
    const [[type]] = await all(
      full,
      `SELECT data_type FROM information_schema.columns WHERE table_name = 'estimate' AND column_name = 'finance_amount'`,
    )
    expect(type).toBe('VARCHAR')
  })

  it('writes lead results as JSON arrays of known titles, with & escaped as \\u0026', async () => {
    const texts = await leadResults(full)
    const known = new Set<string>(Object.values(LEAD_RESULT_TITLES).flat())
    const seen = new Set<string>()
    let legacy = 0
    let current = 0
    for (const text of texts) {
      const items = JSON.parse(text) as LeadResultItem[]
      expect(Array.isArray(items)).toBe(true)
      for (const { title, value } of items) {
        expect(typeof value).toBe('string')
        if (/^Job Type \d+( Amount)?$/.test(title)) continue
        expect(known.has(title), title).toBe(true)
        seen.add(title)
      }
      const numbers = items.flatMap((i) => LEGACY_JOB_TYPE_PATTERN.exec(i.title)?.[1] ?? []).map(Number)
      if (numbers.length > 0) {
        legacy++
        expect(numbers).toEqual(numbers.map((_, i) => i + 1))
        expect(items.some((i) => i.title === 'Job Type')).toBe(false)
      } else if (items.some((i) => i.title === 'Job Type')) current++
    }
    expect(legacy).toBeGreaterThan(20)
    expect(current).toBeGreaterThan(20)
    expect(texts.some((text) => text.includes('\\u0026'))).toBe(true)
    // a few rows come from an older writer that leaves & as it is
    expect(texts.some((text) => /"title":"[^"]*&/.test(text))).toBe(true)
    // the common variants all occur in a thousand customers' worth of data
    expect(seen.size).toBeGreaterThan(known.size * 0.8)
  })

  it('counts line items by the documented rule', async () => {
    const items = (await leadResults(full)).map((text) => JSON.parse(text) as LeadResultItem[])
    const expected = items.reduce((sum, answers) => sum + countLineItems(answers), 0)
    const counts = await streamCounts(full.connection, full.db)
    expect(counts.lead_result_line_item).toBe(expected)
    expect(expected).toBeGreaterThan(items.length / 2)
  })

  it('adds malformed rows that count in the Athena tables but not in the streams', async () => {
    const broken = await generate(11, 300, ATHENA_TABLES, 4)
    const athena = await athenaTableCounts(broken.connection, broken.db)
    const streams = await streamCounts(broken.connection, broken.db)
    expect(athena.customer - streams.customer).toBe(4)
    expect(athena.estimate - streams.estimate).toBe(4)
    expect(athena.credit_applications - streams.credit_application).toBe(4)
    expect(athena.lead_results - streams.lead_result).toBe(4)
    expect(athena.payments - streams.payment).toBe(4)
    expect(athena.user_activity).toBe(streams.user_activity)
    const leads = broken.db.table('lead_results')
    const invalid = `SELECT count(*) FROM ${leads} WHERE NOT json_valid(lead_results)`
    expect(await one(broken, invalid)).toBe(2n)
  })
})
