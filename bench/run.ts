import { execSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { benchDashboard, type DashboardBench } from './dashboard.ts'
import { renderSalesPro } from './salespro-report.ts'
import { benchHubSpot, type HubSpotBench } from './hubspot.ts'
import { fmt } from './lib.ts'
import { benchParallel, renderParallel, type ParallelBench } from './parallel.ts'
import { benchSalesPro, type SalesProBench } from './salespro.ts'
import { benchWorkers, type WorkerScaling } from './workers.ts'

// the line after which docs/benchmarks.md keeps what was measured apart from the bench's own run
const MEASURED_APART = '<!-- measured apart from `npm run bench`: each section below says when and how; the bench keeps them as they are -->'

/**
 * `npm run bench`: every benchmark of the project, measured in one run on this machine, printed
 * side by side and written to docs/benchmarks.md. Figures are measured, never asserted: nothing
 * here passes or fails on wall time.
 */
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    /** SalesPro full syncs, each measured with its COPY baseline right after it */
    pairs: { type: 'string', default: '3' },
    contacts: { type: 'string', default: '30000' },
    'worker-rows': { type: 'string', default: '20000' },
    /** SalesPro customers for the streams-side-by-side measure: small, so the queue's wait is what it measures */
    'parallel-rows': { type: 'string', default: '1000' },
    'query-latency-ms': { type: 'string', default: '2000' },
    sections: { type: 'string', default: 'salespro,hubspot,workers,dashboard,parallel' },
    out: { type: 'string', default: 'docs/benchmarks.md' },
    quick: { type: 'boolean', default: false },
  },
})
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const sections = new Set(values.sections?.split(','))
const rows = values.quick ? 50_000 : Number(values.rows)
const pairs = values.quick ? 1 : Number(values.pairs)
const contacts = values.quick ? 5_000 : Number(values.contacts)
const workerRows = values.quick ? 2_000 : Number(values['worker-rows'])
const log = (line: string) => console.log(line)

const machine = await describeMachine()
log(`crmsync benchmarks — ${machine.date}\n${machine.cpu}, ${machine.cores} cores, ${machine.memory}; Node ${process.version}; ${machine.postgres}\n`)

interface SectionLoad {
  start: number
  end: number
  minutes: number
}
const loads: Record<string, SectionLoad> = {}
/** Runs a section when asked for, noting the machine's load as it starts and ends. */
async function section<T>(name: string, run: () => Promise<T>): Promise<T | undefined> {
  if (!sections.has(name)) return undefined
  const start = loadavg()[0]
  const started = performance.now()
  log(`${name}: load average ${fmt(start, 2)} at the start`)
  const result = await run()
  loads[name] = { start, end: loadavg()[0], minutes: (performance.now() - started) / 60_000 }
  log(`${name}: load average ${fmt(loads[name].end, 2)} at the end`)
  return result
}

const salespro = await section('salespro', () => benchSalesPro(baseUrl, rows, pairs, log))
const hubspot = await section('hubspot', () => benchHubSpot(baseUrl, contacts, log))
const workers = await section('workers', () => benchWorkers(baseUrl, workerRows, [1, 2, 4], log))
const dashboard = await section('dashboard', () => benchDashboard(baseUrl, rows, log))
const parallel = await section('parallel', () => benchParallel(baseUrl, values.quick ? 300 : Number(values['parallel-rows']), Number(values['query-latency-ms']), log))

const report = render({ machine, salespro, hubspot, workers, dashboard, parallel, loads, command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}` })
log(`\n${report}`)
if (values.out) {
  writeFileSync(values.out, `${report}${measuredApart(values.out)}`)
  log(`written to ${values.out}`)
}

/**
 * What the file holds from MEASURED_APART on: sections measured by hand or by one section's run
 * (an experiment, a before-and-after), each with its own date and command, which a run of the
 * bench does not measure again and so must not erase.
 */
function measuredApart(file: string): string {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const at = text.indexOf(MEASURED_APART)
  return at === -1 ? `\n${MEASURED_APART}\n` : `\n${text.slice(at)}`
}

async function describeMachine() {
  const client = new pg.Client({ connectionString: baseUrl })
  await client.connect()
  const { rows: version } = await client.query<{ server_version: string }>('SHOW server_version')
  // current_setting spells a value with its unit as a person would (128MB); pg_settings' setting
  // counts in the unit's blocks (16384 of 8kB), which the two glued together misread as 163848kB
  const { rows: settings } = await client.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'fsync', 'max_wal_size') ORDER BY name`,
  )
  await client.end()
  const kernel = (() => {
    try {
      return execSync('uname -r').toString().trim()
    } catch {
      return '?'
    }
  })()
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    kernel,
    postgres: `PostgreSQL ${version[0].server_version} (${settings.map((s) => `${s.name}=${s.setting}`).join(', ')}) on the same machine, over loopback`,
  }
}

/** The machine's 1-minute load average as a section starts and as it ends: the noise its figures were measured in. */
function loadLine(load: SectionLoad | undefined): string {
  return load ? `Machine load (1-minute average) as this section started: ${fmt(load.start, 2)}; as it ended: ${fmt(load.end, 2)} (${fmt(load.minutes, 1)} min).\n` : ''
}

function render(r: { machine: Awaited<ReturnType<typeof describeMachine>>; salespro?: SalesProBench; hubspot?: HubSpotBench; workers?: WorkerScaling[]; dashboard?: DashboardBench; parallel?: ParallelBench; loads: Record<string, SectionLoad>; command: string }): string {
  const out: string[] = []
  out.push('# Benchmarks', '')
  out.push(`Measured ${r.machine.date} with \`${r.command}\` on this project's machine kind: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memory}, Linux ${r.machine.kernel}, Node ${process.version}; ${r.machine.postgres}. The emulators run as separate processes on the same two cores. Every figure below comes from this one run; the file is rewritten by each run.`, '')
  if (r.salespro) out.push(...renderSalesPro(r.salespro), loadLine(r.loads.salespro))
  if (r.hubspot) {
    const h = r.hubspot
    out.push('## HubSpot rate-limit utilization (emulator limited to 100 requests per 10 s and 5 searches per second)', '')
    out.push('| lane | requests | time | achieved ÷ limit | 429 answered | server answer | records/s | target |', '|---|---|---|---|---|---|---|---|')
    out.push(`| list (full sync of contacts) | ${h.list.requests} | ${fmt(h.list.seconds, 1)} s | ${fmt(h.list.utilization * 100, 1)}% | ${h.list.rateLimited} | ${fmt(h.list.meanLatencyMs)} ms | ${fmt(h.list.recordsPerSec)} | ≥ 95%, no 429 |`)
    out.push(`| search (incremental over changed contacts) | ${h.search.requests} | ${fmt(h.search.seconds, 1)} s | ${fmt(h.search.utilization * 100, 1)}% | ${h.search.rateLimited} | ${fmt(h.search.meanLatencyMs)} ms | ${fmt(h.search.recordsPerSec)} | ≥ 95%, no 429 |`, '')
    out.push("Utilization counts requests in the whole windows of the run (the last, partial window is left out), from the emulator's own record of arrivals. The governor frees a slot only when the answer arrives, so search utilization falls as the server's answer time grows (about 1 s ÷ (1 s + answer time)).", '', loadLine(r.loads.hubspot))
  }
  if (r.workers?.length) {
    out.push(`## Workers: the same ${r.workers[0].streams} streams (SalesPro and SalesRabbit, ${fmt(r.workers[0].rows)} rows) by 1, 2 and 4 worker processes`, '')
    out.push('| workers | time | rows/s | enqueue→start median, all queued at once | enqueue→start median, idle workers |', '|---|---|---|---|---|')
    for (const w of r.workers) out.push(`| ${w.workers} | ${fmt(w.seconds, 1)} s | ${fmt(w.rowsPerSec)} | ${fmt(w.medianQueuedMs)} ms | ${fmt(w.medianIdleMs)} ms |`)
    out.push('', 'Each worker runs one job at a time. On two cores the point is that throughput does not fall as workers are added and that the queue adds little per job: the idle figure is pg-boss polling (every 0.5 s) plus the job\'s start.', '', loadLine(r.loads.workers))
  }
  if (r.dashboard) {
    const d = r.dashboard
    out.push(`## The dashboard under load (${fmt(d.rows)}-row warehouse, \`crmsync serve\` in its own process)`, '')
    out.push('| measure | value | target |', '|---|---|---|')
    out.push(`| GET /monitoring/, ${fmt(d.requests)} requests, ${d.concurrency} at once | ${fmt(d.seconds, 1)} s, ${fmt(d.requests / d.seconds)} requests/s | |`)
    out.push(`| latency p50 / p95 / p99 / max | ${fmt(d.p50Ms)} / ${fmt(d.p95Ms)} / ${fmt(d.p99Ms)} / ${fmt(d.maxMs)} ms | p99 < 250 ms |`)
    out.push(`| errors; pool_exhaustion alerts raised | ${d.errors}; ${d.poolAlerts} | 0; 0 |`)
    out.push(`| p99 of the 200 warm-up requests sent first to the fresh server (not counted above) | ${fmt(d.warmUpP99)} ms | |`, '')
    out.push("The overview reads each stream's row counts from `crmsync.stream_state`, kept exact by the transaction of every page, so a view costs the same at any warehouse size.", '', loadLine(r.loads.dashboard))
  }
  if (r.parallel) out.push(...renderParallel(r.parallel), loadLine(r.loads.parallel))
  return out.join('\n')
}
