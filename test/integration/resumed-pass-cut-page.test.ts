import { afterEach, describe, expect, it } from 'vitest'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

/**
 * docs/design.md §3.5, chaos seed 3128245198: a full pass of `lead_result_line_item` cut by
 * `--max-records` inside its first page. A line item cannot tell its position (its raw is its own
 * JSON, not the Athena row: `Stream.cursorAt` is undefined), so the cut page commits its rows, and
 * its keys as seen by the pass, without a cursor: the pause leaves a pass with keys but no
 * position. The next run resumes it from the beginning, a whole read, and must soft-delete every
 * line item whose lead result the source deleted during the pause, including the ones the cut
 * page saw (they were kept live as "seen") and, on a first load, the ones it loaded (that pass
 * kept no keys, so it deleted nothing).
 */
describe.each(WAREHOUSE_KINDS)('a line-item pass cut inside its first page, then resumed, into %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse | undefined
  let source: SalesProFixture | undefined
  afterEach(async () => {
    await db?.drop()
    await source?.emulator.close()
  })

  const stream = 'lead_result_line_item'
  const query = async <R extends object>(sql: string, params: unknown[] = []) => ((await db?.warehouse.query<R>(sql, params))?.rows ?? [])
  /** the lead results whose line items the open pass committed before its pause */
  const parentsSeen = async (firstLoad: boolean) => {
    const rows = firstLoad
      ? await query<{ id: string }>(`SELECT DISTINCT estimate_id AS id FROM salespro.lead_result_line_item`)
      : await query<{ id: string }>(
          `SELECT DISTINCT split_part(k.record_key, chr(31), 1) AS id FROM crmsync.pass_keys k
           JOIN crmsync.stream_state s ON k.pass_id = s.full_pass->>'passId' WHERE s.stream = $1`,
          [stream],
        )
    return rows.map((r) => r.id)
  }

  for (const start of ['a first load', 'a --full over a loaded table'] as const) {
    it.skipIf(!!reason)(`${start}: the resumed pass soft-deletes the line items of lead results deleted during the pause ${reason ?? ''}`, async () => {
      ;[db, source] = await Promise.all([createTestWarehouse(kind), startSalesPro()])
      const firstLoad = start === 'a first load'
      if (!firstLoad) expect(await source.sync(db.warehouse, [stream], { batchSize: 5 })).toMatchObject([{ status: 'succeeded' }])
      // the first page (2 lead results) holds more than 2 line items: the cut falls inside it
      const [cut] = await source.sync(db.warehouse, [stream], { flags: { full: !firstLoad }, batchSize: 5, maxRecords: 2 })
      expect(cut).toMatchObject({ status: 'partial', fetched: 2 })
      // and it says what the next run does: a cut line item cannot tell where the pass stood
      expect(cut.error).toMatch(/the next run starts the full pass again, which deletes nothing until then/)
      const [state] = await query<{ cursor: unknown; open: boolean }>(`SELECT cursor, full_pass IS NOT NULL AS open FROM crmsync.stream_state WHERE stream = $1`, [stream])
      expect(state, 'the cut page committed no position, and left its pass open').toEqual({ cursor: null, open: true })
      const seen = await parentsSeen(firstLoad)
      expect(seen.length).toBeGreaterThan(0)

      await source.admin('/_admin/mutate', { table: 'lead_results', deletes: seen })
      const [resumed] = await source.sync(db.warehouse, [stream], { batchSize: 5 })
      expect(resumed).toMatchObject({ status: 'succeeded' })
      const stillLive = await query<{ id: string; n: number }>(
        `SELECT estimate_id AS id, job_type_number AS n FROM salespro.lead_result_line_item WHERE _deleted_at IS NULL AND estimate_id = ANY($1) ORDER BY 1, 2`,
        [seen],
      )
      expect(stillLive).toEqual([])
      const [after] = await query<{ open: boolean; passed: boolean }>(`SELECT full_pass IS NOT NULL AS open, last_full_at IS NOT NULL AS passed FROM crmsync.stream_state WHERE stream = $1`, [stream])
      expect(after).toEqual({ open: false, passed: true })
    })
  }
})
