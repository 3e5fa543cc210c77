import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineEvents } from '../../src/engine/events.ts'
import { startRunLog } from '../../src/engine/run-log.ts'
import { runSync, type SyncOptions } from '../../src/engine/run-sync.ts'
import { SyncError } from '../../src/errors.ts'
import { createLogger } from '../../src/log.ts'
import { listRunLogs } from '../../src/warehouse/sql/run-logs.ts'
import { createFakeConnector, createFakeStream, makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { createTestWarehouse, postgresUnavailable, WAREHOUSE_KINDS, type TestWarehouse } from '../helpers/warehouses.ts'

/** A logger whose console lines go nowhere, at info: what a run keeps must not depend on what the console shows. */
const quietLogger = () => createLogger({ level: 'warn', destination: { write: () => true } as unknown as NodeJS.WritableStream })

describe.each(WAREHOUSE_KINDS)('run logs on %s', (kind) => {
  const reason = kind === 'postgres' ? postgresUnavailable() : undefined
  let db: TestWarehouse
  beforeAll(async () => {
    if (!reason) db = await createTestWarehouse(kind)
  })
  afterAll(async () => db?.drop())

  let tableNo = 0
  const setup = (controls: Partial<FakeSourceControls> = {}) => {
    const c: FakeSourceControls = { rows: makeRows(30), pagesServed: 0, ...controls }
    const stream = createFakeStream(c, { name: `logged_${++tableNo}` })
    const run = (options: Partial<SyncOptions> = {}) =>
      runSync([{ connector: createFakeConnector(c, [stream]), config: {}, settings: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10 } }], {
        warehouse: db.warehouse,
        log: quietLogger(),
        events: createEngineEvents(),
        ...options,
      }).then((r) => r.runs[0])
    return { c, run }
  }

  it.skipIf(!!reason)(`keeps a run's lines, from its start to its end, numbered without gaps ${reason ?? ''}`, async () => {
    const { run } = setup()
    const summary = await run()
    expect(summary.status).toBe('succeeded')
    const lines = await listRunLogs(db.warehouse, summary.runId as number)
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1))
    expect(lines[0]).toMatchObject({ level: 'info', message: expect.stringMatching(/^sync started: /) })
    expect(lines.at(-1)).toMatchObject({ level: 'info', message: expect.stringMatching(/^sync succeeded in [\d.]+ s: 30 fetched, 30 inserted/), fields: expect.objectContaining({ fetched: 30, inserted: 30 }) })
    // the console was at warn: the run's log keeps its info lines whatever the console shows
    expect(lines.every((l) => l.at instanceof Date && !('runId' in (l.fields ?? {})))).toBe(true)
  })

  it.skipIf(!!reason)(`keeps a retry with its wait and attempt, and a failure with its code ${reason ?? ''}`, async () => {
    let failures = 0
    const { c, run } = setup({ rows: makeRows(80) })
    c.beforePage = (pageNo) => {
      if (pageNo === 2 && failures++ < 1) throw new SyncError('source_unavailable', 'connection reset by emulated fault')
      if (pageNo === 5) throw new SyncError('auth_failed', 'the token was refused')
    }
    const summary = await run({ retry: () => 10 })
    expect(summary).toMatchObject({ status: 'failed', errorCode: 'auth_failed' })
    const lines = await listRunLogs(db.warehouse, summary.runId as number)
    expect(lines.find((l) => l.level === 'warn')).toMatchObject({ message: expect.stringContaining('read failed (connection reset by emulated fault)'), fields: { attempt: 2, waitMs: 10, code: 'source_unavailable' } })
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ message: 'sync failed: the token was refused', fields: { code: 'auth_failed' } })
    expect(lines.at(-1)?.message).toMatch(/^sync failed in /)
  })

  it.skipIf(!!reason)(`shows a running run's lines before it ends ${reason ?? ''}`, async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const { c, run } = setup()
    c.beforePage = (pageNo) => (pageNo === 2 ? held : undefined)
    const running = run()
    const runningId = async () => (await db.warehouse.query<{ id: string }>(`SELECT id FROM crmsync.sync_runs WHERE status = 'running' AND stream = $1`, [`logged_${tableNo}`])).rows[0]?.id
    await expect.poll(runningId, { timeout: 60_000, interval: 200 }).toBeDefined()
    const runId = await runningId()
    await expect.poll(async () => (await listRunLogs(db.warehouse, Number(runId))).map((l) => l.message), { timeout: 60_000, interval: 200 }).toContainEqual(expect.stringMatching(/^sync started/))
    release()
    const summary = await running
    expect(summary.status).toBe('succeeded')
    expect((await listRunLogs(db.warehouse, Number(runId))).at(-1)?.message).toMatch(/^sync succeeded/)
  })

  it.skipIf(!!reason)(`is bounded: its first lines, its warnings, a note of what was left out, and its last lines ${reason ?? ''}`, async () => {
    const runId = await db.warehouse.store.insertRun(db.warehouse, { source: 'fake', stream: 'bounded', mode: 'full', trigger: 'test', cursorFrom: undefined, host: 'here', pid: 1 })
    const kept = startRunLog(db.warehouse, quietLogger(), { limit: 5, flushEveryMs: 60_000 })
    kept.attach(runId)
    for (let i = 1; i <= 100; i++) kept.log.info({ i }, `line ${i}`)
    kept.log.warn('a warning past the limit')
    kept.log.child({ operation: 'contacts' }).info({ password: 'hunter2-secret-value' }, 'password=hunter2-secret-value sent')
    await kept.close()
    const lines = await listRunLogs(db.warehouse, runId)
    expect(lines.map((l) => l.message)).toEqual([
      ...[1, 2, 3, 4, 5].map((i) => `line ${i}`),
      'a warning past the limit',
      expect.stringMatching(/^46 log lines were left out here: a run keeps its first 5 lines, its warnings and errors, and its last 50$/),
      ...Array.from({ length: 49 }, (_, i) => `line ${i + 52}`),
      'password=[redacted] sent',
    ])
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1))
    expect(lines.at(-1)?.fields).toEqual({ operation: 'contacts', password: '[redacted]' })
  })
})
