import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runSync } from '../../src/engine/run-sync.ts'
import { silentLogger } from '../../src/log.ts'
import type { Warehouse } from '../../src/warehouse/types.ts'
import { runCli } from '../helpers/cli.ts'
import { createFakeConnector, createFakeStream, makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { postgresUnavailable, WAREHOUSE_KINDS, warehouseForCli } from '../helpers/warehouses.ts'

/**
 * `crmsync versions` end to end (the CLI as a child process) over a warehouse where the in-memory
 * source, playing salespro, wrote salespro.customer in history mode: r00002 changed twice, then
 * was deleted by a full pass; salespro.estimate has no history. The CLI reads the warehouse only.
 */
describe.each(WAREHOUSE_KINDS)('crmsync versions over %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let env: NodeJS.ProcessEnv
  let drop = async () => {}

  async function syncWithHistory(warehouse: Warehouse) {
    const c: FakeSourceControls = { rows: makeRows(5), pagesServed: 0 }
    const streams = [createFakeStream(c, { name: 'customer' }), createFakeStream(c, { name: 'estimate' })]
    const connector = { ...createFakeConnector(c, streams), name: 'salespro' }
    const settings = { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10, streams: { customer: { schema: 'evolve' as const, columns: {}, history: true } } }
    const sync = async (flags = {}) => (await runSync([{ connector, config: {}, settings }], { warehouse, log: silentLogger(), events: createEngineEvents(), flags })).runs
    await sync()
    for (const [n, at] of ['2024-03-01T00:00:00.000000Z', '2024-04-01T00:00:00.000000Z'].entries()) {
      c.rows.set('r00002', { ...c.rows.get('r00002')!, updated_at: at, name: `renamed ${n + 1}` })
      await sync()
    }
    c.rows.delete('r00002')
    const runs = await sync({ full: true })
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded'])
  }

  beforeAll(async () => {
    if (reason) return
    ;({ env, drop } = await warehouseForCli(kind, syncWithHistory))
  })
  afterAll(async () => drop())

  const cli = async (args: string[], code = 0) => {
    const result = await runCli(args, env)
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code)
    return result
  }

  it.skipIf(!!reason)(`--json: a row's versions, oldest first, to the microsecond, the delete current ${reason ?? ''}`, async () => {
    const { stdout } = await cli(['versions', 'salespro', 'customer', '--key', 'r00002', '--json'])
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({ source: 'salespro', stream: 'customer', table: 'salespro.customer__history', key: { id: 'r00002' } })
    const versions = report.versions as { validFrom: string; validTo: string | null; isCurrent: boolean; deleted: boolean; values: { name: string } }[]
    expect(versions.map((v) => [v.values.name, v.isCurrent, v.deleted])).toEqual([
      ['name 2', false, false],
      ['renamed 1', false, false],
      ['renamed 2', false, false],
      ['renamed 2', true, true],
    ])
    expect(versions.slice(0, 3).map((v) => [v.validFrom, v.validTo])).toEqual([
      ['2024-01-01T00:00:02.000000Z', '2024-03-01T00:00:00.000000Z'],
      ['2024-03-01T00:00:00.000000Z', '2024-04-01T00:00:00.000000Z'],
      ['2024-04-01T00:00:00.000000Z', versions[3].validFrom],
    ])
    expect(versions[3].validTo).toBeNull()
  })

  it.skipIf(!!reason)('prints the versions as a table, with what changed', async () => {
    const { stdout } = await cli(['versions', 'salespro', 'customer', '--key', 'r00002'])
    expect(stdout).toContain('salespro.customer, id = r00002: 4 versions')
    const lines = stdout.trim().split('\n')
    expect(lines[1]).toMatch(/^valid from\s+valid to\s+current\s+deleted\s+run\s+hash\s+changed$/)
    expect(lines[2]).toMatch(/^2024-01-01 00:00:02\.000000\s+2024-03-01 00:00:00\.000000\s+.*\(first\)$/)
    expect(lines[3]).toMatch(/updated_at, name$/)
    expect(lines[5]).toMatch(/yes\s+yes\s+.*\(deleted\)$/)
  })

  it.skipIf(!!reason)('a key without versions prints so; a stream without history, a bad key or no key exit 2 naming the problem', async () => {
    expect((await cli(['versions', 'salespro', 'customer', '--key', 'nobody'])).stdout).toContain('no version of the row id = nobody')
    expect(JSON.parse((await cli(['versions', 'salespro', 'customer', '--key', 'nobody', '--json'])).stdout).versions).toEqual([])
    const off = await cli(['versions', 'salespro', 'estimate', '--key', 'r00001'], 2)
    expect(off.stderr).toContain('salespro.estimate has no history table')
    expect(off.stderr).toContain('"history": true under sources.salespro.streams.estimate')
    expect((await cli(['versions', 'salespro', 'customer', '--key', 'a\u001fb'], 2)).stderr).toContain('has 2 parts, but the key is 1 columns (id)')
    expect((await cli(['versions', 'salespro', 'customer'], 2)).stderr).toContain('--key K')
    expect((await cli(['versions', 'nosuch', 'customer', '--key', '1'], 2)).stderr).toContain('unknown source')
    // a stream the source does not have is no stream whose history is off
    expect((await cli(['versions', 'salespro', 'nosuch', '--key', '1'], 2)).stderr).toContain('salespro has no stream "nosuch"; its streams are customer')
    expect((await cli(['versions', '--help'])).stdout).toContain('U+001F')
    // the history table is no stream of its own
    expect(JSON.parse((await cli(['schema', 'salespro', '--json'])).stdout).streams.map((s: { stream: string }) => s.stream)).toEqual(['customer', 'estimate'])
  })
})
