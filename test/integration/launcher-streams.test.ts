import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngineEvents } from '../../src/engine/events.ts'
import type { SyncTarget } from '../../src/engine/run-sync.ts'
import { silentLogger } from '../../src/log.ts'
import { createInProcessLauncher } from '../../src/server/in-process-launcher.ts'
import { createFakeConnector, createFakeStream, makeRows, type FakeSourceControls } from '../helpers/fake-source.ts'
import { createTestWarehouse, postgresUnavailable, type TestWarehouse } from '../helpers/warehouses.ts'

const reason = postgresUnavailable()

// The dashboard's launcher holds the streams of a launch so a second click cannot start them twice;
// a stream whose run ended is free again, though the launch's other streams are still running.
describe('the in-process launcher', () => {
  let db: TestWarehouse
  beforeAll(async () => {
    if (!reason) db = await createTestWarehouse('postgres')
  })
  afterAll(async () => db?.drop())

  it.skipIf(!!reason)(`a stream that ended may start again while the rest of its launch runs on ${reason ?? ''}`, async () => {
    const quick: FakeSourceControls = { rows: makeRows(3), pagesServed: 0 }
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const slow: FakeSourceControls = { rows: makeRows(3), pagesServed: 0, beforePage: () => held }
    const connector = createFakeConnector(quick, [createFakeStream(quick, { name: 'quick' }), createFakeStream(slow, { name: 'slow' })])
    const loadTarget = async (_source: string, streams?: string[]): Promise<SyncTarget> => ({
      connector: connector as never,
      config: {},
      streams,
      settings: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10 },
    })
    const events = createEngineEvents()
    const launcher = createInProcessLauncher({ warehouse: db.warehouse, events, log: silentLogger(), sources: ['fake'], loadTarget })
    const quickEnded = () => new Promise<void>((resolve) => events.on('run:end', ({ summary }) => summary.stream === 'quick' && resolve()))
    try {
      let ended = quickEnded()
      await launcher.start({ source: 'fake', mode: 'incremental' })
      await ended
      ended = quickEnded()
      await expect(launcher.start({ source: 'fake', streams: ['quick'], mode: 'incremental' })).resolves.toMatchObject({ accepted: true, streams: ['quick'] })
      await ended
      // the stream still running stays held
      await expect(launcher.start({ source: 'fake', streams: ['slow'], mode: 'incremental' })).rejects.toThrow(/already running: fake\.slow/)
    } finally {
      release()
      await launcher.close?.()
    }
  })
})
