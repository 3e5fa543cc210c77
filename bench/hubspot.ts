import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { admin, dropDatabase, fmt, freshDatabase, runCli, startEmulatorProcess } from './lib.ts'

export interface RateResult {
  requests: number
  seconds: number
  /** achieved requests per window ÷ the limit */
  utilization: number
  rateLimited: number
  records: number
  recordsPerSec: number
  /** mean time from sending a request of this lane to its answer, from the run's metrics */
  meanLatencyMs: number
}

export interface HubSpotBench {
  limitPer10s: number
  searchPerSecond: number
  list: RateResult
  search: RateResult
}

/**
 * Issue 3's benchmark: the HubSpot emulator set to 100 requests per 10 s (and 5 searches/s), a
 * full sync of contacts through the list endpoint, then an incremental run over many changed
 * contacts through search; the achieved request rate as a fraction of each limit, the 429s the
 * emulator answered, and records/s.
 */
export async function benchHubSpot(baseUrl: string, contacts: number, log: (line: string) => void): Promise<HubSpotBench> {
  const list = await measureRates(baseUrl, contacts, 'list', log)
  // search utilization depends on how fast the server answers (a slot frees when the answer
  // arrives), so it is measured on a smaller portal whose searches answer faster; both print the latency
  const search = await measureRates(baseUrl, Math.min(contacts, 10_000), 'search', log)
  return { limitPer10s: 100, searchPerSecond: 5, list, search }
}

async function measureRates(baseUrl: string, contacts: number, lane: 'list' | 'search', log: (line: string) => void): Promise<RateResult> {
  const limits = { tenSecondly: 100, searchPerSecond: 5 }
  const emulator = await startEmulatorProcess(['hubspot', '--rows', String(contacts), '--seed', '3'])
  const dbName = 'crmsync_bench_hubspot'
  try {
    await admin(emulator.env.HUBSPOT_BASE_URL, '/_admin/limits', limits)
    const url = await freshDatabase(baseUrl, dbName)
    const configPath = join(tmpdir(), 'crmsync-bench-hubspot.json')
    writeFileSync(configPath, JSON.stringify({ sources: { hubspot: { limits, horizonSeconds: 0 } } }))
    const env = { ...process.env, ...emulator.env, DATABASE_URL: url, CRMSYNC_HOME: join(tmpdir(), 'crmsync-bench-home'), CRMSYNC_CONFIG: configPath }
    const meanLatencyMs = await sampleLatency(emulator.env, lane)
    const measure = async (args: string[], kind: 'list' | 'search'): Promise<RateResult> => {
      await admin(emulator.env.HUBSPOT_BASE_URL, '/_admin/stats/reset', {})
      const run = await runCli(args, env)
      if (run.code !== 0) throw new Error(`hubspot sync failed: ${run.stderr.slice(-2000)}`)
      const summary = JSON.parse(run.stdout).runs[0]
      const stats = await admin(emulator.env.HUBSPOT_BASE_URL, '/_admin/stats')
      const search = kind === 'search'
      const times: number[] = search ? stats.times.search : stats.times.general
      const window = search ? 1000 : 10_000
      const limit = search ? limits.searchPerSecond : limits.tenSecondly
      // consecutive whole windows from the first request; the last, partial one is left out
      const whole = Math.floor((times.at(-1)! - times[0]) / window)
      const inWhole = times.filter((t) => t < times[0] + whole * window).length
      const utilization = whole > 0 ? inWhole / (whole * limit) : NaN
      const requests = times.length
      const seconds = (times.at(-1)! - times[0]) / 1000
      return {
        requests,
        seconds,
        utilization,
        rateLimited: stats.rateLimited,
        records: summary.fetched,
        recordsPerSec: (summary.fetched * 1000) / summary.durationMs,
        meanLatencyMs,
      }
    }
    const first = await measure(['sync', 'hubspot', 'contacts', '--json'], 'list')
    if (lane === 'list') {
      log(`hubspot: list ${first.requests} requests in ${fmt(first.seconds, 1)} s over ${fmt(contacts)} contacts = ${fmt(first.utilization * 100, 1)}% of 100 per 10 s (whole windows), ${first.rateLimited} × 429, mean answer ${fmt(first.meanLatencyMs)} ms, ${fmt(first.recordsPerSec)} records/s`)
      return first
    }
    await admin(emulator.env.HUBSPOT_BASE_URL, '/_admin/mutate', { table: 'contacts', updates: contacts })
    const search = await measure(['sync', 'hubspot', 'contacts', '--json'], 'search')
    log(`hubspot: search ${search.requests} requests in ${fmt(search.seconds, 1)} s over ${fmt(contacts)} changed contacts = ${fmt(search.utilization * 100, 1)}% of 5 per second (whole windows), ${search.rateLimited} × 429, mean answer ${fmt(search.meanLatencyMs)} ms, ${fmt(search.recordsPerSec)} records/s`)
    return search
  } finally {
    emulator.stop()
    await dropDatabase(baseUrl, dbName).catch(() => {})
  }
}

/** The server's answer time for one request of the lane, averaged over a few spaced samples. */
async function sampleLatency(env: Record<string, string>, lane: 'list' | 'search'): Promise<number> {
  const headers = { authorization: `Bearer ${env.HUBSPOT_API_TOKEN}`, 'content-type': 'application/json' }
  const times: number[] = []
  for (let i = 0; i < 6; i++) {
    const started = performance.now()
    const response =
      lane === 'list'
        ? await fetch(`${env.HUBSPOT_BASE_URL}/crm/v3/objects/contacts?limit=100`, { headers })
        : await fetch(`${env.HUBSPOT_BASE_URL}/crm/v3/objects/contacts/search`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'GT', value: '0' }] }], sorts: ['hs_object_id'], limit: 200 }),
          })
    await response.arrayBuffer()
    if (i > 0) times.push(performance.now() - started)
    await new Promise((r) => setTimeout(r, 300))
  }
  await fetch(`${env.HUBSPOT_BASE_URL}/_admin/stats/reset`, { method: 'POST' })
  return times.reduce((a, b) => a + b, 0) / times.length
}
