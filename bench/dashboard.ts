import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import pg from 'pg'
import { benchHome, BIN, dropDatabase, fmt, freshDatabase, runCli, startEmulatorProcess } from './lib.ts'

export interface DashboardBench {
  rows: number
  requests: number
  concurrency: number
  errors: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  maxMs: number
  seconds: number
  poolAlerts: number
  /** p99 of the WARM_UP requests sent to the fresh server first, not counted above */
  warmUpP99: number
}

const WARM_UP = 200

/**
 * The dashboard's overview under load over a large warehouse: `crmsync serve` (its own process,
 * as an operator runs it) over a database holding `rows` synced customers, `requests` GETs of
 * /monitoring/ with `concurrency` in flight. A page must cost the same at any warehouse size.
 */
export async function benchDashboard(baseUrl: string, rows: number, log: (line: string) => void, requests = 2000, concurrency = 50): Promise<DashboardBench> {
  const emulator = await startEmulatorProcess(['salespro', '--rows', String(rows), '--tables', 'customer', '--seed', '7'])
  const dbName = 'crmsync_bench_dashboard'
  const url = await freshDatabase(baseUrl, dbName)
  const env = { ...process.env, ...emulator.env, DATABASE_URL: url, ...benchHome() }
  const server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    const sync = await runCli(['sync', 'salespro', 'customer', '--json'], env)
    if (sync.code !== 0) throw new Error(`the sync for the dashboard bench failed: ${sync.stderr.slice(-2000)}`)
    log(`dashboard: ${fmt(rows)} customers synced; ${fmt(requests)} requests of /monitoring/ at ${concurrency} at once`)
    const { url: page } = JSON.parse(await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout as NodeJS.ReadableStream }).once('line', resolve)
      server.once('exit', (code) => reject(new Error(`serve exited (${code})`)))
    })) as { url: string }
    let latencies: number[] = []
    let errors = 0
    let next = 0
    let total = WARM_UP
    const client = async () => {
      while (next < total) {
        next++
        const t0 = performance.now()
        try {
          const response = await fetch(page)
          await response.text()
          if (!response.ok) errors++
        } catch {
          errors++
        }
        latencies.push(performance.now() - t0)
      }
    }
    // a server that has just started compiles its code paths on the first requests: those are not
    // what an operator's long-running dashboard costs, so they are sent first and not counted
    await Promise.all(Array.from({ length: concurrency }, client))
    const warmUpP99 = [...latencies].sort((a, b) => a - b)[Math.floor(0.99 * latencies.length)]
    latencies = []
    errors = 0
    next = 0
    total = requests
    const started = performance.now()
    await Promise.all(Array.from({ length: concurrency }, client))
    const seconds = (performance.now() - started) / 1000
    latencies.sort((a, b) => a - b)
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]
    const db = new pg.Client({ connectionString: url })
    await db.connect()
    const alerts = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM crmsync.alerts WHERE rule = 'pool_exhaustion'`)
    await db.end()
    const result = { rows, requests, concurrency, errors, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: latencies.at(-1) ?? NaN, seconds, poolAlerts: alerts.rows[0].n, warmUpP99 }
    log(`dashboard: p50 ${fmt(result.p50Ms)} ms, p99 ${fmt(result.p99Ms)} ms, ${errors} errors, ${result.poolAlerts} pool alerts`)
    return result
  } finally {
    server.kill('SIGTERM')
    emulator.stop()
    await new Promise((resolve) => (server.exitCode !== null ? resolve(undefined) : server.once('exit', resolve)))
    await dropDatabase(baseUrl, dbName).catch(() => {})
  }
}
