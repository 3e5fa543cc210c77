/**
 * `npm run screenshots`: one PNG of every dashboard page in docs/screenshots/, so the pictures in
 * docs/dashboard.md show the dashboard as it is. It starts the SalesPro emulator and a warehouse
 * (PGlite in a temporary directory), runs a few real syncs — succeeded, partial, failed and
 * cancelled — adds a schedule and an alert, starts the server, and saves each page full-length
 * at 1400 × 900 with Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH). Nothing is drawn
 * from made-up numbers: every run on the pictures is one the engine made.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Page } from 'playwright-core'
import { startSalesProEmulator } from '../emulators/salespro/index.ts'
import { salespro } from '../src/connectors/salespro/index.ts'
import { createEngineEvents, type EngineEvents } from '../src/engine/events.ts'
import { runSync, type SyncOptions, type SyncTarget } from '../src/engine/run-sync.ts'
import { silentLogger } from '../src/log.ts'
import { startServer } from '../src/server/start-server.ts'
import { addSchedule } from '../src/worker/add-schedule.ts'
import { migrate } from '../src/warehouse/migrate.ts'
import { openPglite } from '../src/warehouse/pglite.ts'
import type { Warehouse } from '../src/warehouse/types.ts'

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url))
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
// a local token for this script's own server, which listens on 127.0.0.1 only and stops with it
const TOKEN = 'screenshots-only-token-0123456789'

type Emulator = Awaited<ReturnType<typeof startSalesProEmulator>>

function target(emulator: Emulator, streams: string[]): SyncTarget {
  const config = salespro.loadConfig({ ...emulator.env }, { maxPollMs: 100 })
  return { connector: salespro, config, streams, settings: { lookbackSeconds: 60, horizonSeconds: 0, batchSize: 200 } }
}

const sourceFaults = (emulator: Emulator, body: unknown) =>
  fetch(`${emulator.url}/_admin/source-faults`, { method: body ? 'POST' : 'DELETE', headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined })

/** A run of each outcome, by the engine, against the emulator. */
async function makeHistory(warehouse: Warehouse, events: EngineEvents, emulator: Emulator): Promise<void> {
  const options: SyncOptions = { warehouse, log: silentLogger(), events, trigger: 'cli' }
  await runSync([target(emulator, ['customer', 'estimate'])], options)
  await runSync([target(emulator, ['customer'])], { ...options, flags: { full: true } })
  // partial: stopped at a number of records, as --max-records does
  await runSync([target(emulator, ['estimate'])], { ...options, flags: { full: true }, maxRecords: 300 })
  // failed: a query Athena refuses, which no retry fixes
  await sourceFaults(emulator, { failQueries: { count: 1, reason: "TABLE_NOT_FOUND: line 1:15: Table 'sales.customer' does not exist" } })
  await runSync([target(emulator, ['customer'])], options)
  await sourceFaults(emulator, undefined)
  // cancelled: a person's stop, after the first committed page
  const stop = new AbortController()
  const off = events.on('page:committed', () => stop.abort())
  await runSync([target(emulator, ['estimate'])], { ...options, flags: { full: true }, signal: stop.signal })
  off()
  await runSync([target(emulator, ['customer', 'estimate'])], options)
  await addSchedule(warehouse, { source: 'salespro', every: '15m' })
  await addSchedule(warehouse, { source: 'salespro', stream: 'estimate', cron: '0 3 * * *', mode: 'full' })
  await warehouse.query(
    `INSERT INTO crmsync.alerts (rule, dedupe_key, source, stream, severity, title, message, value, threshold)
     VALUES ('consecutive_failures', 'consecutive_failures:salespro:customer', 'salespro', 'customer', 'error', 'customer failed its last run', 'TABLE_NOT_FOUND', 1, 1)`,
  )
}

async function shoot(page: Page, base: string, path: string, name: string): Promise<void> {
  const response = await page.goto(new URL(path, base).toString())
  if (response?.status() !== 200) throw new Error(`${path} answered ${response?.status()}`)
  // the live indicator connects after load; the picture shows it connected
  await page.waitForFunction(() => document.querySelector('#live')?.textContent === 'live', undefined, { timeout: 60_000 }).catch(() => {})
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true })
  console.log(`docs/screenshots/${name}.png  ${path}`)
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-screenshots-'))
  const warehouse = await openPglite({ dataDir: join(dir, 'warehouse') })
  await migrate(warehouse)
  const emulator = await startSalesProEmulator({ rows: 1500, seed: 3, only: ['customer', 'estimate'] })
  const events = createEngineEvents()
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 })
  try {
    await makeHistory(warehouse, events, emulator)
    const loadTarget = async (_source: string, streams?: string[]) => target(emulator, streams ?? ['customer', 'estimate'])
    const server = await startServer({ warehouse, events, log: silentLogger(), host: '127.0.0.1', port: 0, token: TOKEN, loadTarget, sources: ['salespro'] })
    try {
      const runs = (await warehouse.query<{ id: number; status: string; started_at: Date }>(`SELECT id, status, started_at FROM crmsync.sync_runs ORDER BY id`)).rows
      const since = new Date(runs[0].started_at.getTime() - 2000).toISOString()
      mkdirSync(OUT, { recursive: true })
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
      page.setDefaultTimeout(120_000)
      const pages: [string, string][] = [
        ['/monitoring/', '01-overview'],
        ['/monitoring/streams', '02-streams'],
        ['/monitoring/streams/salespro/customer?range=24h', '03-stream'],
        ['/monitoring/schedules', '04-schedules'],
        ['/monitoring/runs', '05-runs'],
        [`/monitoring/runs/${runs[0].id}`, '06-run'],
        [`/monitoring/timeline?since=${since}`, '07-timeline'],
        ['/monitoring/charts?range=24h', '08-charts'],
        ['/monitoring/alerts', '09-alerts'],
        ['/monitoring/data', '10-data'],
        ['/monitoring/data/salespro/customer', '11-data-table'],
        ['/monitoring/audit', '12-audit'],
      ]
      for (const [path, name] of pages) await shoot(page, server.url, path, name)
    } finally {
      await server.close()
    }
  } finally {
    await browser.close()
    await emulator.close()
    await warehouse.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
