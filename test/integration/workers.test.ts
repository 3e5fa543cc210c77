import { writeFileSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/log.ts'
import { openQueue } from '../../src/worker/queue.ts'
import { cliEnv, collect, runCli, startCli } from '../helpers/cli.ts'
import { FAST_LIMITS, startHubSpot, type HubSpotFixture } from '../helpers/hubspot.ts'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { startSalesRabbit, type SalesRabbitFixture } from '../helpers/salesrabbit.ts'
import { createEmptyDatabase, postgresUnavailable } from '../helpers/warehouses.ts'

/**
 * Issue 6 end to end: three worker processes on loopback, a dozen scheduled streams over the
 * three emulators, one worker SIGKILLed mid-run. Every stream completes, no stream ever has two
 * runs at once, the warehouse equals the sources, and SIGTERM drains a worker cleanly.
 */
const reason = postgresUnavailable()
const STREAMS = {
  salespro: ['customer', 'credit_application', 'estimate', 'lead_result', 'lead_result_line_item', 'payment', 'user_activity'],
  salesrabbit: ['leads', 'users'],
  hubspot: ['contacts', 'deals', 'owners'],
}
// deadlines are generous: the suite may share two loaded cores with another one
const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 240_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe.skipIf(!!reason)(`workers on PostgreSQL ${reason ? `(skipped: ${reason})` : ''}`, () => {
  let salespro: SalesProFixture
  let salesrabbit: SalesRabbitFixture
  let hubspot: HubSpotFixture
  let db: { url: string; drop(): Promise<void> }
  let client: pg.Client
  const workers: ChildProcess[] = []
  let env: NodeJS.ProcessEnv

  beforeAll(async () => {
    // a slow Athena (each query stays queued/running 1.5 s) so that runs are in flight when a worker dies
    ;[salespro, salesrabbit, hubspot, db] = await Promise.all([
      startSalesPro({ rows: 400, seed: 21, queryDelayMs: 1500 }),
      startSalesRabbit({ rows: 1500, seed: 21 }),
      startHubSpot({ rows: 400, seed: 21 }),
      createEmptyDatabase(),
    ])
    env = cliEnv({ ...salespro.emulator.env, ...salesrabbit.emulator.env, ...hubspot.emulator.env, DATABASE_URL: db.url })
    writeFileSync(
      env.CRMSYNC_CONFIG as string,
      JSON.stringify({
        sources: { hubspot: { limits: FAST_LIMITS } },
        worker: { deadAfterSeconds: 10, heartbeatSeconds: 1, tickSeconds: 1, retryBusySeconds: 1, maxConcurrentRuns: 4 },
      }),
    )
    client = new pg.Client({ connectionString: db.url })
    await client.connect()
  })
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL')
    await client?.end()
    await Promise.all([salespro?.emulator.close(), salesrabbit?.emulator.close(), hubspot?.emulator.close()])
    await db?.drop()
  })

  it('run every stream once each, survive a SIGKILLed worker, never overlap, and drain on SIGTERM', async () => {
    expect((await runCli(['init'], env)).code).toBe(0)
    for (const [source, streams] of Object.entries(STREAMS)) {
      const targets = source === 'hubspot' ? streams.map((s) => `hubspot.${s}`) : [source]
      for (const target of targets) {
        const added = await runCli(['schedule', 'add', target, '--every', '10m'], env)
        expect(added.code, added.stderr).toBe(0)
      }
    }
    // `schedule` with no action lists them, as `schedule list` does
    const listed = await runCli(['schedule', '--json'], env)
    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.parse(listed.stdout)).toEqual(JSON.parse((await runCli(['schedule', 'list', '--json'], env)).stdout))
    expect(JSON.parse(listed.stdout).schedules).toHaveLength(Object.entries(STREAMS).reduce((n, [source, streams]) => n + (source === 'hubspot' ? streams.length : 1), 0))
    for (let i = 0; i < 3; i++) workers.push(startCli(['worker', '--concurrency', '2'], env))
    const outputs = workers.map((w) => collect(w))

    await until('three workers to register', async () => (await client.query(`SELECT 1 FROM crmsync.workers`)).rowCount === 3).catch(async (error) => {
      const exited = await Promise.all(outputs.map((o, i) => (workers[i].exitCode !== null ? o.then((r) => r.stderr.slice(-1500)) : 'running')))
      throw new Error(`${error.message}: ${JSON.stringify(exited)}`)
    })
    // the moment a worker is running a sync, kill it without warning
    let victimPid = 0
    await until('a worker with a sync in flight', async () => {
      const { rows } = await client.query<{ pid: number; jobs: { runId?: number }[] }>(`SELECT pid, jobs FROM crmsync.workers`)
      victimPid = rows.find((r) => r.jobs.some((j) => j.runId))?.pid ?? 0
      return victimPid > 0
    })
    const victim = workers.find((w) => w.pid === victimPid) as ChildProcess
    victim.kill('SIGKILL')
    const killedAt = new Date()

    // every stream ends with a successful run, including those the dead worker held
    const all = Object.entries(STREAMS).flatMap(([source, streams]) => streams.map((stream) => `${source}.${stream}`))
    await until('every stream to succeed', async () => {
      const { rows } = await client.query<{ s: string }>(`SELECT DISTINCT source || '.' || stream AS s FROM crmsync.sync_runs WHERE status = 'succeeded'`)
      const done = new Set(rows.map((r) => r.s))
      return all.every((s) => done.has(s))
    }).catch(async (error) => {
      const runs = await client.query(`SELECT id, source, stream, status, error_code, error, trigger, worker_id FROM crmsync.sync_runs ORDER BY id`)
      const jobs = await client.query(`SELECT name, state, singleton_key, output FROM crmsync_queue.job ORDER BY created_on`)
      throw new Error(`${error.message}\nruns: ${JSON.stringify(runs.rows, null, 1)}\njobs: ${JSON.stringify(jobs.rows, null, 1)}`)
    })
    await until('no run left running', async () => (await client.query(`SELECT 1 FROM crmsync.sync_runs WHERE status = 'running'`)).rowCount === 0)

    // the dead worker's run was marked, and its stream was picked up again after the kill
    const runs = await client.query<{ source: string; stream: string; status: string; error_code: string | null; started_at: Date; finished_at: Date; heartbeat_at: Date; worker_id: string | null }>(
      `SELECT source, stream, status, error_code, started_at, finished_at, heartbeat_at, worker_id FROM crmsync.sync_runs ORDER BY source, stream, started_at`,
    )
    const abandoned = runs.rows.filter((r) => r.error_code === 'abandoned')
    expect(abandoned.length).toBeGreaterThan(0)
    for (const dead of abandoned) {
      const after = runs.rows.find((r) => r.source === dead.source && r.stream === dead.stream && r.status === 'succeeded' && r.started_at > killedAt)
      expect(after, `${dead.source}.${dead.stream} resumed after the kill`).toBeDefined()
    }
    // no stream ever had two runs at once: a dead run's activity ends at its last heartbeat
    for (const stream of all) {
      const own = runs.rows.filter((r) => `${r.source}.${r.stream}` === stream)
      for (let i = 1; i < own.length; i++) {
        const previousEnd = own[i - 1].error_code === 'abandoned' ? own[i - 1].heartbeat_at : own[i - 1].finished_at
        expect(previousEnd.getTime(), `${stream}: run ${i} started before run ${i - 1} ended`).toBeLessThanOrEqual(own[i].started_at.getTime())
      }
    }
    // the warehouse equals the sources
    const tables = { salespro: await salespro.emulator.tables(), salesrabbit: await salesrabbit.emulator.tables(), hubspot: await hubspot.emulator.tables() }
    for (const [source, streams] of Object.entries(STREAMS)) {
      for (const stream of streams) {
        const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${source}.${stream} WHERE _deleted_at IS NULL`)
        expect([`${source}.${stream}`, rows[0].n]).toEqual([`${source}.${stream}`, (tables as any)[source][stream]])
      }
    }

    // SIGTERM drains: queue a slow run, stop the worker holding it; it commits, hands the job back and leaves cleanly
    const survivors = workers.filter((w) => w !== victim)
    await client.query(`UPDATE crmsync.schedules SET next_run_at = now() WHERE source = 'salespro'`)
    let drainPid = 0
    await until('a survivor with a sync in flight', async () => {
      const { rows } = await client.query<{ pid: number; jobs: { runId?: number }[] }>(`SELECT pid, jobs FROM crmsync.workers`)
      drainPid = rows.find((r) => r.jobs.some((j) => j.runId))?.pid ?? 0
      return drainPid > 0
    })
    const draining = survivors.find((w) => w.pid === drainPid) as ChildProcess
    draining.kill('SIGTERM')
    const drained = await outputs[workers.indexOf(draining)]
    expect(drained.code, drained.stderr.slice(-2000)).toBe(0)
    // it left its row behind it before exiting: no waiting for a heartbeat to go stale
    expect((await client.query(`SELECT 1 FROM crmsync.workers WHERE pid = $1`, [drainPid])).rowCount).toBe(0)
    await until('no run left running after the drain', async () => (await client.query(`SELECT 1 FROM crmsync.sync_runs WHERE status = 'running'`)).rowCount === 0)
    for (const w of survivors) if (w.exitCode === null) w.kill('SIGTERM')
    for (const out of outputs) await out
  })
})

describe.skipIf(!!reason)(`no scheduled run is lost ${reason ? `(skipped: ${reason})` : ''}`, () => {
  let salespro: SalesProFixture
  let db: { url: string; drop(): Promise<void> }
  let client: pg.Client
  let worker: ChildProcess | undefined
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    ;[salespro, db] = await Promise.all([startSalesPro({ rows: 100, seed: 8 }), createEmptyDatabase()])
    env = cliEnv({ ...salespro.emulator.env, DATABASE_URL: db.url })
    writeFileSync(env.CRMSYNC_CONFIG as string, JSON.stringify({ worker: { deadAfterSeconds: 10, heartbeatSeconds: 1, tickSeconds: 1, retryBusySeconds: 1 } }))
    client = new pg.Client({ connectionString: db.url })
    await client.connect()
    expect((await runCli(['init'], env)).code).toBe(0)
  })
  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL')
    await client?.end()
    await salespro?.emulator.close()
    await db?.drop()
  })
  const succeeded = async (stream: string) =>
    (await client.query<{ trigger: string }>(`SELECT trigger FROM crmsync.sync_runs WHERE source = 'salespro' AND stream = $1 AND status = 'succeeded'`, [stream])).rows

  it('a job taken by a worker that died before reporting it is queued again, and a busy stream is retried', async () => {
    // a job as a worker leaves it when it dies between taking it and its next heartbeat: active, reported by no one
    const queue = await openQueue(db.url, silentLogger())
    try {
      expect(await queue.send({ source: 'salespro', stream: 'payment', mode: 'incremental', trigger: 'dashboard' })).toBeTruthy()
    } finally {
      await queue.close()
    }
    await client.query(`UPDATE crmsync_queue.job SET state = 'active', started_on = now() - interval '1 hour' WHERE singleton_key = 'salespro.payment'`)
    // a stream held by someone else (as a CLI sync would hold it) when its schedule fires
    const holder = new pg.Client({ connectionString: db.url })
    await holder.connect()
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtext('crmsync'), hashtext('salespro.customer'))`)
      expect((await runCli(['schedule', 'add', 'salespro.customer', '--every', '10m'], env)).code).toBe(0)
      worker = startCli(['worker'], env)
      const output = collect(worker)
      await until('the orphaned job to run again', async () => (await succeeded('payment')).length > 0)
      expect(await succeeded('payment')).toEqual([{ trigger: 'requeue' }])
      await until('the busy stream to be deferred', async () => {
        const { rows } = await client.query(`SELECT 1 FROM crmsync_queue.job WHERE singleton_key = 'salespro.customer' AND output->>'reason' = 'busy'`)
        return rows.length > 0
      })
      expect(await succeeded('customer')).toEqual([])
      await holder.query(`SELECT pg_advisory_unlock(hashtext('crmsync'), hashtext('salespro.customer'))`)
      await until('the busy stream to run once it is free', async () => (await succeeded('customer')).length > 0)
      expect(await succeeded('customer')).toEqual([{ trigger: 'schedule' }])
      worker.kill('SIGTERM')
      expect((await output).code).toBe(0)
    } finally {
      await holder.end()
    }
  })
})

describe('the worker on the embedded warehouse', () => {
  it('runs the schedules itself in one process, and stops cleanly on SIGTERM', async () => {
    const salespro = await startSalesPro({ rows: 100, seed: 4 })
    try {
      const env = cliEnv({ ...salespro.emulator.env })
      writeFileSync(env.CRMSYNC_CONFIG as string, JSON.stringify({ worker: { tickSeconds: 1 } }))
      expect((await runCli(['schedule', 'add', 'salespro.customer', '--every', '10m'], env)).code).toBe(0)
      const worker = startCli(['worker'], env)
      let seen = ''
      worker.stderr?.on('data', (chunk) => {
        seen += chunk
        if (/"stream":"customer".*sync succeeded/.test(seen) && !worker.killed) worker.kill('SIGTERM')
      })
      const result = await collect(worker)
      expect(result.code, result.stderr.slice(-1500)).toBe(0)
      expect(result.stderr).toMatch(/no DATABASE_URL: this worker runs the schedules itself on the embedded warehouse/)
      const history = JSON.parse((await runCli(['history', '--json'], env)).stdout)
      expect(history.runs[0]).toMatchObject({ source: 'salespro', stream: 'customer', status: 'succeeded', trigger: 'schedule', inserted: 100 })
    } finally {
      await salespro.emulator.close()
    }
  })
})
