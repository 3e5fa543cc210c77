import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { silentLogger } from '../src/log.ts'
import { openQueue } from '../src/worker/queue.ts'
import { BIN, dropDatabase, fmt, freshDatabase, runCli, startEmulatorProcess } from './lib.ts'

export interface WorkerScaling {
  workers: number
  streams: number
  rows: number
  seconds: number
  rowsPerSec: number
  /** median time from a job's enqueue to its start, while all jobs were queued at once */
  medianQueuedMs: number
  /** median time from enqueue to start of a job sent to idle workers: the queue's own overhead */
  medianIdleMs: number
}

const STREAMS = [
  ...['customer', 'credit_application', 'estimate', 'lead_result', 'lead_result_line_item', 'payment', 'user_activity'].map((s) => ['salespro', s]),
  ['salesrabbit', 'leads'],
  ['salesrabbit', 'users'],
] as const

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN
}

/**
 * Issue 6's benchmark: the same nine streams synced by 1, 2 and 4 worker processes (one job at a
 * time each) from one queue; total rows/s, and the enqueue-to-start latency of the queue.
 */
export async function benchWorkers(baseUrl: string, rows: number, counts: number[], log: (line: string) => void): Promise<WorkerScaling[]> {
  const salespro = await startEmulatorProcess(['salespro', '--rows', String(rows), '--seed', '11'])
  const salesrabbit = await startEmulatorProcess(['salesrabbit', '--rows', String(rows), '--seed', '11'])
  const results: WorkerScaling[] = []
  try {
    for (const count of counts) {
      const dbName = `crmsync_bench_workers_${count}`
      const url = await freshDatabase(baseUrl, dbName)
      const configPath = join(tmpdir(), `crmsync-bench-workers-${count}.json`)
      writeFileSync(configPath, JSON.stringify({ worker: { heartbeatSeconds: 2, tickSeconds: 60, sourceConcurrency: { salespro: 4, salesrabbit: 2 } } }))
      const env = { ...process.env, ...salespro.env, ...salesrabbit.env, DATABASE_URL: url, CRMSYNC_HOME: join(tmpdir(), 'crmsync-bench-home'), CRMSYNC_CONFIG: configPath }
      await runCli(['init'], env)
      const workers: ChildProcess[] = []
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      const queue = await openQueue(url, silentLogger())
      try {
        for (let i = 0; i < count; i++) workers.push(spawn(process.execPath, [BIN, 'worker', '--concurrency', '1', '--metrics-port', '0'], { env, stdio: 'ignore' }))
        await until(async () => (await client.query('SELECT 1 FROM crmsync.workers')).rowCount === count)
        const started = Date.now()
        for (const [source, stream] of STREAMS) await queue.send({ source, stream, mode: 'incremental', trigger: 'bench' })
        await until(async () => (await client.query(`SELECT DISTINCT stream FROM crmsync.sync_runs WHERE status = 'succeeded'`)).rowCount === STREAMS.length, 900_000)
        const done = await client.query<{ rows: string; last: Date }>(`SELECT sum(fetched)::text AS rows, max(finished_at) AS last FROM crmsync.sync_runs WHERE status = 'succeeded'`)
        const seconds = (done.rows[0].last.getTime() - started) / 1000
        const queued = await latencies(client)
        // the queue's own overhead: one small job at a time, sent to idle workers
        const before = queued.length
        for (let i = 0; i < 8; i++) {
          await queue.send({ source: 'salesrabbit', stream: 'users', mode: 'incremental', trigger: 'bench' })
          await until(async () => (await client.query(`SELECT 1 FROM crmsync_queue.job WHERE state IN ('created', 'active')`)).rowCount === 0)
        }
        const idle = (await latencies(client)).slice(before)
        const totalRows = Number(done.rows[0].rows)
        const result = { workers: count, streams: STREAMS.length, rows: totalRows, seconds, rowsPerSec: totalRows / seconds, medianQueuedMs: median(queued.slice(0, STREAMS.length)), medianIdleMs: median(idle) }
        log(`workers: ${count} × 1 job: ${fmt(totalRows)} rows of ${STREAMS.length} streams in ${fmt(seconds, 1)} s = ${fmt(result.rowsPerSec)} rows/s; enqueue→start median ${fmt(result.medianQueuedMs)} ms queued, ${fmt(result.medianIdleMs)} ms idle`)
        results.push(result)
      } finally {
        for (const w of workers) w.kill('SIGTERM')
        await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))))
        await queue.close()
        await client.end()
        await dropDatabase(baseUrl, dbName).catch(() => {})
      }
    }
  } finally {
    salespro.stop()
    salesrabbit.stop()
  }
  return results
}

/** enqueue-to-start times of the finished jobs, oldest first */
async function latencies(client: pg.Client): Promise<number[]> {
  const { rows } = await client.query<{ ms: number }>(
    `SELECT extract(epoch FROM started_on - created_on) * 1000 AS ms FROM crmsync_queue.job WHERE started_on IS NOT NULL ORDER BY created_on`,
  )
  return rows.map((r) => Number(r.ms))
}

async function until(check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('timed out')
}
