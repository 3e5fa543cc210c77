import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSalesProEmulator } from '../../emulators/salespro/index.ts'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { SNAPSHOT_FILE } from '../../src/cli/status-snapshot.ts'
import { cliEnv, collect, runCli, startCli } from '../helpers/cli.ts'

// The embedded warehouse opens in one process at a time; `status` beside a sync reads the
// snapshot the syncing process publishes. No PostgreSQL here: this is the embedded warehouse's case.
describe('crmsync status beside a sync on the embedded warehouse', () => {
  let emulator: RunningEmulator
  beforeAll(async () => {
    emulator = await startSalesProEmulator({ rows: 6000, seed: 5, only: ['customer'] })
    // every answer waits 1.5 s and results are paged through GetQueryResults (1,000 rows a call)
    // into commits of 100 rows: a run of many seconds, several snapshots (one every 2 s) long
    await fetch(`${emulator.url}/_admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 1500 }) })
  })
  afterAll(async () => {
    await emulator?.close()
  })

  it('shows the running sync and its counts as of the snapshot, and the final figures once it ends', async () => {
    const env = cliEnv({ ...emulator.env, DATABASE_URL: undefined })
    writeFileSync(env.CRMSYNC_CONFIG as string, JSON.stringify({ sources: { salespro: { readResultsFromS3: false, batchSize: 100, maxPollMs: 100 } } }))
    const sync = startCli(['sync', 'salespro', 'customer', '--json'], env)
    const syncDone = collect(sync, 600_000)

    // a status started before the sync has the warehouse would hold it itself and the sync would
    // be refused as busy: wait for the sync's lock first
    const lockHolder = () => {
      try {
        return JSON.parse(readFileSync(join(env.CRMSYNC_HOME as string, 'pgdata', 'crmsync.lock'), 'utf8')).pid
      } catch {
        return undefined
      }
    }
    await expect.poll(lockHolder, { timeout: 120_000, interval: 200 }).toBe(sync.pid)
    // polled: the sync must migrate and commit its first pages on a loaded machine
    let seen: any
    await expect
      .poll(
        async () => {
          const result = await runCli(['status', '--json'], env, 120_000)
          if (result.code !== 0) return `exit ${result.code}: ${result.stderr.slice(0, 300)}`
          seen = JSON.parse(result.stdout)
          return seen.running?.[0]?.fetched > 0 ? 'running with rows' : `not yet: ${JSON.stringify({ snapshotAt: seen.snapshotAt, running: seen.running })}`
        },
        { timeout: 240_000, interval: 1000 },
      )
      .toBe('running with rows')
    expect(seen.heldBy.pid).toBe(sync.pid)
    expect(seen.heldBy.command).toMatch(/^sync salespro customer/)
    expect(Date.now() - new Date(seen.snapshotAt).getTime()).toBeLessThan(120_000)
    expect(seen.running[0]).toMatchObject({ source: 'salespro', stream: 'customer', mode: 'full' })
    expect(seen.streams).toContainEqual(expect.objectContaining({ source: 'salespro', stream: 'customer', runningRunId: seen.running[0].id }))

    const text = await runCli(['status'], env, 120_000)
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(new RegExp(`crmsync sync \\(pid ${sync.pid}\\) holds the embedded warehouse: figures as of \\d\\d:\\d\\d:\\d\\d UTC`))
    expect(text.stdout).toMatch(/running now: salespro\.customer \(run \d+, [\d,]+ rows\)/)

    // a read-only command that has no snapshot to read is still refused, naming the holder
    const history = await runCli(['history'], env, 120_000)
    expect(history.code).toBe(1)
    expect(history.stderr).toContain(`in use by process ${sync.pid}`)

    const result = await syncDone
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).runs[0]).toMatchObject({ status: 'succeeded', fetched: 6000 })
    // the holder removed its snapshot as it let the warehouse go; status now opens the warehouse itself
    const after = await runCli(['status', '--json'], env, 120_000)
    expect(after.code, after.stderr).toBe(0)
    const report = JSON.parse(after.stdout)
    expect(report.snapshotAt).toBeUndefined()
    expect(report.running).toEqual([])
    expect(report.streams).toContainEqual(expect.objectContaining({ stream: 'customer', rows: 6000, lastStatus: 'succeeded' }))
  })

  it('a snapshot left by a process that is gone is not shown as live', async () => {
    const env = cliEnv({ DATABASE_URL: undefined })
    const home = env.CRMSYNC_HOME as string
    const first = await runCli(['status', '--json'], env, 120_000)
    expect(first.code, first.stderr).toBe(0)
    // the warehouse held by a live process (this one) that publishes nothing, beside the snapshot
    // of a holder that died (a pid above Linux's largest): its figures describe no running sync
    const deadPid = 2 ** 22 + 12345
    writeFileSync(join(home, 'pgdata', 'crmsync.lock'), JSON.stringify({ pid: process.pid, command: 'serve', since: new Date().toISOString() }))
    writeFileSync(
      join(home, SNAPSHOT_FILE),
      JSON.stringify({ pid: deadPid, command: 'sync salespro', snapshotAt: new Date().toISOString(), report: JSON.parse(first.stdout) }),
    )
    const result = await runCli(['status'], env, 120_000)
    expect(result.code).toBe(1)
    expect(result.stdout).not.toContain('holds the embedded warehouse')
    expect(result.stderr).toContain(`in use by process ${process.pid}`)
  })
})
