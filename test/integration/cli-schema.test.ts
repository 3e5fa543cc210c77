import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runSync } from '../../src/engine/run-sync.ts'
import type { RunSummary } from '../../src/engine/summary.ts'
import { silentLogger } from '../../src/log.ts'
import { attachAlerts } from '../../src/ops/alerts/index.ts'
import type { Warehouse } from '../../src/warehouse/types.ts'
import { runCli } from '../helpers/cli.ts'
import { createFakeConnector, createFakeStream, makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { postgresUnavailable, WAREHOUSE_KINDS, warehouseForCli } from '../helpers/warehouses.ts'

/**
 * `crmsync schema`, `history` and `alerts` end to end (the CLI as a child process) over a warehouse
 * where real runs of the engine created a table, coerced a record and changed the table's shape:
 * a first run creates salespro.customer, run 1 adds two columns the source grew (region, score), run 2 widens
 * score to text and finds region dropped at the source. The in-memory source plays salespro: the
 * CLI reads the warehouse only, so which process wrote it does not matter.
 */
describe.each(WAREHOUSE_KINDS)('crmsync schema over %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let env: NodeJS.ProcessEnv
  let drop = async () => {}
  const runs: RunSummary[] = []

  /** two runs of the in-memory source, as salespro.customer, with the alerts listening */
  async function syncTwice(warehouse: Warehouse) {
    const c: FakeSourceControls = { rows: makeRows(6), pagesServed: 0 }
    const events = createEngineEvents()
    const alerts = attachAlerts({ warehouse, events, log: silentLogger(), config: { env: {}, file: {} }, channels: [] })
    const connector = { ...createFakeConnector(c, [createFakeStream(c, { name: 'customer' })]), name: 'salespro' }
    const sync = async () => (await runSync([{ connector, config: {}, settings: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10 } }], { warehouse, log: silentLogger(), events })).runs[0]
    // the table exists before the source grows (a new table's first columns are its shape, not changes)
    await sync()
    c.schema = { fields: [{ name: 'region', type: 'text' }, { name: 'score', type: 'integer' }], complete: false }
    let second = 0
    for (const [id, row] of c.rows) c.rows.set(id, { ...row, updated_at: `2024-06-01T00:00:0${second++}.000000Z`, extra: { region: 'west', score: 5 } })
    c.inject = (row) => (row.id === 'r00002' ? { values: { parent: null, ...row, amount: 'twelve' }, raw: { ...row }, fields: row.extra } : undefined)
    runs.push(await sync())
    // the source now sends score as text, and no longer sends region
    c.inject = undefined
    c.schema = { fields: [{ name: 'score', type: 'text' }], complete: true }
    const row = c.rows.get('r00003')!
    c.rows.set('r00003', { ...row, updated_at: '2025-01-01T00:00:00.000000Z', extra: { score: 'high' } })
    runs.push(await sync())
    await alerts.close()
  }

  beforeAll(async () => {
    if (reason) return
    ;({ env, drop } = await warehouseForCli(kind, syncTwice))
    expect(runs.map((r) => [r.status, r.coerced])).toEqual([
      ['succeeded', 1],
      ['succeeded', 0],
    ])
  })
  afterAll(async () => drop())

  const cli = async (args: string[], code = 0) => {
    const result = await runCli(args, env)
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code)
    return result
  }

  it.skipIf(!!reason)(`--json: each column with its type, origin, appearance and drop, crmsync's own apart, and the changes ${reason ?? ''}`, async () => {
    const { stdout } = await cli(['schema', 'salespro', '--json'])
    const report = JSON.parse(stdout)
    expect(report.source).toBe('salespro')
    expect(report.streams).toHaveLength(1)
    const [customer] = report.streams
    expect(customer).toMatchObject({ stream: 'customer', table: 'salespro.customer' })
    expect(customer.columns.map((c: { name: string; type: string; origin: string }) => `${c.name}:${c.type}:${c.origin}`)).toEqual([
      'id:text:declared',
      'updated_at:timestamp with time zone:declared',
      'name:text:declared',
      'amount:numeric(12,2):declared',
      'parent:text:declared',
      'region:text:source',
      'score:text:source',
    ])
    const byName = Object.fromEntries(customer.columns.map((c: { name: string }) => [c.name, c]))
    expect(Date.parse(byName.region.appearedAt)).not.toBeNaN()
    expect(Date.parse(byName.region.droppedAt)).not.toBeNaN()
    expect(byName.score.droppedAt).toBeNull()
    expect(customer.meta.map((m: { name: string }) => m.name).sort()).toEqual(['_deleted_at', '_hash', '_meta', '_raw', '_run_id', '_synced_at'])
    expect(customer.changes.map((c: Record<string, unknown>) => ({ ...c, id: undefined, createdAt: undefined }))).toEqual([
      { column: 'region', change: 'added', fromType: null, toType: 'text', runId: runs[0].runId },
      { column: 'score', change: 'added', fromType: null, toType: 'integer', runId: runs[0].runId },
      { column: 'score', change: 'widened', fromType: 'integer', toType: 'text', runId: runs[1].runId },
      { column: 'region', change: 'dropped_at_source', fromType: 'text', toType: null, runId: runs[1].runId },
    ].map((c) => ({ ...c, id: undefined, createdAt: undefined })))
    expect(customer.changes.every((c: { id: number; createdAt: string }) => c.id > 0 && !Number.isNaN(Date.parse(c.createdAt)))).toBe(true)
    // one stream named: the same entry
    expect(JSON.parse((await cli(['schema', 'salespro', 'customer', '--json'])).stdout)).toEqual(report)
  })

  it.skipIf(!!reason)('the human output: a table of the columns, then the changes in words', async () => {
    const { stdout } = await cli(['schema', 'salespro', 'customer'])
    expect(stdout).toMatch(/^salespro\.customer: 7 columns, 1 dropped at the source \(and crmsync's _raw, _hash, _synced_at, _run_id, _deleted_at, _meta\)$/m)
    expect(stdout).toMatch(/^column\s+type\s+from\s+appeared \(UTC\)\s+dropped at the source \(UTC\)$/m)
    expect(stdout).toMatch(/^amount\s+numeric\(12,2\)\s+declared\s/m)
    expect(stdout).toMatch(/^region\s+text\s+source\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\d{4}-\d\d-\d\d \d\d:\d\d$/m)
    expect(stdout).not.toMatch(/^_raw\s/m)
    expect(stdout).toContain('changes (4, oldest first, UTC):')
    expect(stdout).toMatch(new RegExp(`run ${runs[0].runId}  added region \\(text\\)`))
    expect(stdout).toMatch(new RegExp(`run ${runs[1].runId}  widened score integer → text`))
    expect(stdout).toMatch(new RegExp(`run ${runs[1].runId}  region dropped at the source \\(was text; the column is kept\\)`))
  })

  it.skipIf(!!reason)('an unknown source or a stream without a table exits 2 saying what there is; a source without tables is empty', async () => {
    const unknown = await cli(['schema', 'salespr'], 2)
    expect(unknown.stderr).toMatch(/unknown source "salespr"; crmsync knows salespro, hubspot, salesrabbit/)
    const noTable = await cli(['schema', 'salespro', 'estimate', '--json'], 2)
    expect(noTable.stderr).toMatch(/salespro has no table "estimate" in the warehouse \(its tables are customer\); a stream's first sync creates it: crmsync sync salespro estimate/)
    expect(JSON.parse(noTable.stdout).error.code).toBe('config_invalid')
    expect((await cli(['schema'], 2)).stderr).toMatch(/name a source/)
    expect(JSON.parse((await cli(['schema', 'hubspot', '--json'])).stdout)).toEqual({ source: 'hubspot', streams: [] })
    expect((await cli(['schema', 'hubspot'])).stdout).toContain('hubspot has no table in the warehouse yet')
    const help = await cli(['schema', '--help'])
    expect(help.stdout).toContain('crmsync schema <source> [stream] [--json]')
    expect((await cli(['--help'])).stdout).toMatch(/^ {2}schema\s+a source's tables/m)
  })

  it.skipIf(!!reason)('history shows coerced beside rejected; alerts lists the schema changes as info alerts', async () => {
    const history = JSON.parse((await cli(['history', '--json'])).stdout)
    // newest first: run 2, run 1 (the one that coerced a record), the first load
    expect(history.runs.map((r: { coerced: number; rejected: number }) => [r.rejected, r.coerced])).toEqual([
      [0, 0],
      [0, 1],
      [0, 0],
    ])
    expect((await cli(['history'])).stdout).toMatch(/^id\s+stream\s+.*\s+rejected\s+coerced\s+deleted\s+error$/m)
    const detail = await cli(['history', '--run', String(runs[0].runId)])
    expect(detail.stdout).toContain('0 rejected, 1 coerced, 0 deleted')
    expect(detail.stdout).toContain('crmsync sql "SELECT _meta FROM salespro.customer WHERE _meta IS NOT NULL LIMIT 20"')
    expect(detail.stdout).toMatch(/^page\s+rows\s+.*rejected\s+coerced$/m)
    const pages = JSON.parse((await cli(['history', '--run', String(runs[0].runId), '--json'])).stdout).pages
    expect(pages.map((p: { coerced: number }) => p.coerced)).toEqual([1])

    // each run's change is its own alert: the second superseded the first
    const alerts = JSON.parse((await cli(['alerts', 'list', '--all', '--json'])).stdout).alerts.filter((a: { rule: string }) => a.rule === 'schema_changed')
    expect(alerts.map((a: { status: string; severity: string; title: string }) => [a.status, a.severity, a.title])).toEqual([
      ['open', 'info', `salespro.customer: 2 columns changed in run ${runs[1].runId} (1 widened, 1 dropped at the source)`],
      ['resolved', 'info', `salespro.customer: 2 columns changed in run ${runs[0].runId} (2 added)`],
    ])
    expect((await cli(['alerts', 'list'])).stdout).toMatch(/info\s+open\s+schema_changed\s+salespro\.customer/)
  })
})
