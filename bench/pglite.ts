// The embedded warehouse beside PostgreSQL: one full SalesPro sync into each, fresh, with the
// crmsync process's peak RSS, the warehouse's disk and the wall time. Not part of `npm run bench`
// (it rewrites docs/benchmarks.md); its figures are recorded there by hand, under "Embedded
// warehouse (PGlite)".
//   node --import tsx bench/pglite.ts [--rows 500000] [--streams customer,estimate] [--no-postgres]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { dropDatabase, fmt, freshDatabase, runCli, startEmulatorProcess } from './lib.ts'

const { values } = parseArgs({ options: { rows: { type: 'string', default: '500000' }, streams: { type: 'string' }, 'no-postgres': { type: 'boolean', default: false } } })
const streams = values.streams ? values.streams.split(',') : []
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

const emulator = await startEmulatorProcess(['salespro', '--rows', values.rows, '--seed', '7'])
const rows = Object.entries(emulator.tables)
  .filter(([table]) => streams.length === 0 || streams.includes(table))
  .reduce((sum, [, count]) => sum + count, 0)

async function syncInto(databaseUrl: string | undefined) {
  const home = mkdtempSync(join(tmpdir(), 'crmsync-bench-pglite-'))
  const config = join(home, 'crmsync.config.json')
  writeFileSync(config, '{}\n')
  const env = { ...process.env, ...emulator.env, CRMSYNC_HOME: join(home, 'state'), CRMSYNC_CONFIG: config, DATABASE_URL: databaseUrl }
  if (!databaseUrl) delete env.DATABASE_URL
  const run = await runCli(['sync', 'salespro', ...streams, '--json'], env)
  if (run.code !== 0) throw new Error(`sync exited ${run.code}: ${run.stderr.slice(-2000)}`)
  const diskBytes = databaseUrl ? await databaseSize(databaseUrl) : Number(execFileSync('du', ['-sb', join(home, 'state')], { encoding: 'utf8' }).split('\t')[0])
  rmSync(home, { recursive: true, force: true })
  return { rssMb: run.maxRssMb, diskGb: diskBytes / 1e9, minutes: run.wallMs / 60_000 }
}

async function databaseSize(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const { rows: [row] } = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes')
  await client.end()
  return Number(row.bytes)
}

try {
  const results: [string, Awaited<ReturnType<typeof syncInto>>][] = [['PGlite', await syncInto(undefined)]]
  if (!values['no-postgres']) {
    const url = await freshDatabase(baseUrl, 'crmsync_bench_pglite')
    results.push(['PostgreSQL', await syncInto(url)])
    await dropDatabase(baseUrl, 'crmsync_bench_pglite')
  }
  console.log(`\n${fmt(rows)} rows (salespro --rows ${values.rows}${streams.length ? `, streams ${streams.join(', ')}` : ''})\n`)
  console.log('| warehouse | peak RSS | disk | wall time |\n|---|---|---|---|')
  for (const [name, r] of results) console.log(`| ${name} | ${fmt(r.rssMb)} MB | ${fmt(r.diskGb, 2)} GB | ${fmt(r.minutes, 1)} min |`)
} finally {
  emulator.stop()
}
