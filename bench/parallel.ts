import pg from 'pg'
import { benchHome, dropDatabase, fmt, freshDatabase, runCli, startEmulatorProcess, type CliRun } from './lib.ts'

const STREAMS = ['customer', 'credit_application', 'estimate', 'lead_result', 'lead_result_line_item', 'payment', 'user_activity']

interface RunJson {
  runId: number
  stream: string
  status: string
  fetched: number
  durationMs: number
}

/** One `crmsync sync salespro` measured: its runs, their span in the warehouse, the command's wall time. */
export interface SyncMeasure {
  runs: RunJson[]
  /** first run's start to last run's end, from crmsync.sync_runs */
  spanMs: number
  wallMs: number
  rows: number
}

export interface ParallelBench {
  customers: number
  latencyMs: number
  /** each stream alone: its own `crmsync sync salespro <stream>`, one after another; its run's start to end */
  alone: { stream: string; durationMs: number; wallMs: number; rows: number }[]
  serial: SyncMeasure
  parallel: SyncMeasure
  /** parallel span ÷ the sum of the streams' durations run alone: the issue's measure (≤ 0.5) */
  ratio: number
}

const runsOf = (run: CliRun): RunJson[] => {
  if (run.code !== 0) throw new Error(`crmsync failed (${run.code}): ${run.stderr.slice(-2000)}`)
  return JSON.parse(run.stdout).runs
}

async function spanOf(url: string, runs: readonly RunJson[]): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ ms: number }>(
      `SELECT extract(epoch FROM max(finished_at) - min(started_at)) * 1000 AS ms FROM crmsync.sync_runs WHERE id = ANY($1::bigint[])`,
      [runs.map((r) => r.runId)],
    )
    return Number(rows[0].ms)
  } finally {
    await client.end()
  }
}

/** A full `crmsync sync salespro` of every stream on a fresh database. */
async function measureSync(baseUrl: string, env: NodeJS.ProcessEnv, dbName: string, extra: string[]): Promise<SyncMeasure> {
  const url = await freshDatabase(baseUrl, dbName)
  try {
    const run = await runCli(['sync', 'salespro', '--json', ...extra], { ...env, DATABASE_URL: url })
    const runs = runsOf(run)
    return { runs, spanMs: await spanOf(url, runs), wallMs: run.wallMs, rows: runs.reduce((n, r) => n + r.fetched, 0) }
  } finally {
    await dropDatabase(baseUrl, dbName).catch(() => {})
  }
}

/**
 * Issue 18's measure of streams side by side: `crmsync sync salespro` (seven streams, every Athena
 * query held `latencyMs` in the emulator's queue) against the sum of its streams each synced alone
 * (a full sync of that one stream on the same emulator). Row counts stay small, so the figure is
 * what it is about: the queue's fixed cost, paid once per wave of streams instead of once each.
 */
export async function benchParallel(baseUrl: string, customers: number, latencyMs: number, log: (line: string) => void): Promise<ParallelBench> {
  const emulator = await startEmulatorProcess(['salespro', '--rows', String(customers), '--seed', '7', '--query-latency-ms', String(latencyMs)])
  const env = { ...process.env, ...emulator.env, ...benchHome() }
  try {
    log(`parallel: ${fmt(customers)} customers, every Athena query ${fmt(latencyMs)} ms in the queue`)
    const alone: ParallelBench['alone'] = []
    const aloneDb = 'crmsync_bench_parallel_alone'
    const url = await freshDatabase(baseUrl, aloneDb)
    try {
      for (const stream of STREAMS) {
        const run = await runCli(['sync', 'salespro', stream, '--json'], { ...env, DATABASE_URL: url })
        const [summary] = runsOf(run)
        // timed as the side-by-side runs are, by the warehouse's record of the run, start to end
        const durationMs = await spanOf(url, [summary])
        alone.push({ stream, durationMs, wallMs: run.wallMs, rows: summary.fetched })
        log(`parallel: ${stream} alone ${fmt(summary.fetched)} rows in ${fmt(durationMs / 1000, 1)} s`)
      }
    } finally {
      await dropDatabase(baseUrl, aloneDb).catch(() => {})
    }
    const serial = await measureSync(baseUrl, env, 'crmsync_bench_parallel_serial', ['--concurrency', '1'])
    log(`parallel: sync salespro --concurrency 1: runs span ${fmt(serial.spanMs / 1000, 1)} s, command ${fmt(serial.wallMs / 1000, 1)} s`)
    const parallel = await measureSync(baseUrl, env, 'crmsync_bench_parallel', [])
    log(`parallel: sync salespro: runs span ${fmt(parallel.spanMs / 1000, 1)} s, command ${fmt(parallel.wallMs / 1000, 1)} s`)
    const sumAlone = alone.reduce((n, a) => n + a.durationMs, 0)
    return { customers, latencyMs, alone, serial, parallel, ratio: parallel.spanMs / sumAlone }
  } finally {
    emulator.stop()
  }
}

/** The report's section. */
export function renderParallel(p: ParallelBench): string[] {
  const sumAlone = p.alone.reduce((n, a) => n + a.durationMs, 0)
  const rows = p.alone.reduce((n, a) => n + a.rows, 0)
  return [
    `## SalesPro streams side by side (${fmt(p.customers)} customers, ${fmt(rows)} rows in 7 streams, every Athena query ${fmt(p.latencyMs / 1000, 1)} s in the queue)`,
    '',
    '| measure | value | target |',
    '|---|---|---|',
    `| each stream alone (\`crmsync sync salespro <stream>\`), sum of the 7 runs | ${fmt(sumAlone / 1000, 1)} s (${p.alone.map((a) => `${a.stream} ${fmt(a.durationMs / 1000, 1)}`).join(', ')}) | |`,
    `| \`crmsync sync salespro --concurrency 1\`: first run's start to last run's end; the command | ${fmt(p.serial.spanMs / 1000, 1)} s; ${fmt(p.serial.wallMs / 1000, 1)} s | |`,
    `| \`crmsync sync salespro\` (4 streams at once): first run's start to last run's end; the command | ${fmt(p.parallel.spanMs / 1000, 1)} s; ${fmt(p.parallel.wallMs / 1000, 1)} s | |`,
    `| **ratio** \`sync salespro\` ÷ sum of its streams run alone | **${fmt(p.ratio, 2)}** | ≤ 0.5 |`,
    `| the commands' ratio, \`sync salespro\` ÷ \`--concurrency 1\` (each with its ~start-up) | ${fmt(p.parallel.wallMs / p.serial.wallMs, 2)} | |`,
    '',
    "Each figure is a full sync on a fresh database. The runs' times come from `crmsync.sync_runs`, so a command's start-up (loading, the warehouse's migrations check, the dead-run sweep) is left out of the ratio and shown in the last row. With SalesPro's four streams at once the seven queries wait in the queue in two waves instead of seven.",
    '',
  ]
}
