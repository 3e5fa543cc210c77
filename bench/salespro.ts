import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import pg from 'pg'
import copyStreams from 'pg-copy-streams'
import { admin, benchHome, dropDatabase, fmt, freshDatabase, runCli, startEmulatorProcess, type CliRun } from './lib.ts'

/** One full sync and, right after it, PostgreSQL's COPY of the same rows: a pair measured together. */
export interface SyncAndCopy {
  full: { rowsPerSec: number; durationMs: number; maxRssMb: number; firstPageMs: number }
  copySameTable: { rowsPerSec: number; durationMs: number }
  copySourceColumns: { rowsPerSec: number; durationMs: number }
  ratio: number
}

export interface SalesProBench extends SyncAndCopy {
  rows: number
  /** every pair measured; the figures above are the median pair's (by ratio) */
  pairs: SyncAndCopy[]
  small: { rows: number; maxRssMb: number }
  incremental: { changes: number; fetched: number; durationMs: number; fractionOfFull: number }
}

// a run cut by --max-records ends partial (exit 1) by design: the small RSS run is one
const summary = (run: CliRun, allowCut = false) => {
  const cut = allowCut && run.code === 1 && JSON.parse(run.stdout).runs[0]?.errorCode === 'max_records'
  if (run.code !== 0 && !cut) throw new Error(`crmsync failed (${run.code}): ${run.stderr.slice(-2000)}`)
  return JSON.parse(run.stdout).runs[0] as { fetched: number; durationMs: number; updated: number }
}

/** a result file from the emulator's S3, signed with the emulator's credentials as crmsync signs */
async function resultObject(env: Record<string, string>, url: string): Promise<Readable> {
  const s3 = new S3Client({
    region: env.SALESPRO_SERVER_REGION,
    endpoint: env.SALESPRO_S3_ENDPOINT,
    credentials: { accessKeyId: env.SALESPRO_ACCESS_KEY_ID, secretAccessKey: env.SALESPRO_SECRET_ACCESS_KEY },
    forcePathStyle: true,
  })
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(url) ?? []
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  const body = Body as Readable
  body.once('close', () => s3.destroy())
  return body
}

/** COPYs a file into a table through the client, as a loader would, and times it. */
async function copyFile(url: string, table: string, file: string, options: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const started = performance.now()
  await pipeline(createReadStream(file), client.query(copyStreams.from(`COPY ${table} FROM STDIN ${options}`)))
  const ms = performance.now() - started
  await client.end()
  return ms
}

async function checkpoint(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query('CHECKPOINT')
  await client.end()
}

async function copyOut(url: string, sql: string, file: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await pipeline(client.query(copyStreams.to(`COPY (${sql}) TO STDOUT`)), createWriteStream(file))
  await client.end()
}

/**
 * Issue 2's benchmark: full syncs of `rows` SalesPro customers from the Athena emulator into
 * PostgreSQL, each followed at once by PostgreSQL's own COPY of the same rows (two ways, both
 * reported), peak RSS at 100k and at all rows, and an incremental run after 1,000 changes. The
 * sync and its COPYs are measured as `pairs` interleaved pairs, each on a fresh database: this
 * machine's speed drifts by a third from one minute to the next, and a pair measured together
 * drifts together; the median pair is reported, and every pair listed.
 */
export async function benchSalesPro(baseUrl: string, rows: number, pairs: number, log: (line: string) => void): Promise<SalesProBench> {
  const emulator = await startEmulatorProcess(['salespro', '--rows', String(rows), '--tables', 'customer', '--seed', '7'])
  const dbName = 'crmsync_bench_salespro'
  const smallDb = 'crmsync_bench_salespro_small'
  const files = [join(tmpdir(), 'crmsync-bench-table.copy'), join(tmpdir(), 'crmsync-bench-source.csv')]
  try {
    const envFor = (url: string) => ({ ...process.env, ...emulator.env, DATABASE_URL: url, ...benchHome() })
    log(`salespro: ${fmt(rows)} customers in the emulator`)

    const smallUrl = await freshDatabase(baseUrl, smallDb)
    const small = await runCli(['sync', 'salespro', 'customer', '--json', '--max-records', '100000'], envFor(smallUrl))
    summary(small, true)
    log(`salespro: 100k-row sync peak RSS ${fmt(small.maxRssMb)} MB`)

    const measured: SyncAndCopy[] = []
    let url = ''
    for (let pair = 1; pair <= pairs; pair++) {
      url = await freshDatabase(baseUrl, dbName)
      const env = envFor(url)
      // every timed load starts from a checkpoint, so none pays for writing back another's pages
      // (a checkpoint that max_wal_size forces in the middle of one moves its figure by ~20%)
      await checkpoint(url)
      const full = await runCli(['sync', 'salespro', 'customer', '--json'], env)
      const fullRun = summary(full)
      const fullRate = (fullRun.fetched * 1000) / fullRun.durationMs

      const client = new pg.Client({ connectionString: url })
      await client.connect()
      // the wait for the first page: the emulated Athena query running, then its first rows
      const { rows: first } = await client.query<{ fetch_ms: number }>(
        `SELECT fetch_ms FROM crmsync.run_pages WHERE page_no = 1 AND run_id = (SELECT max(id) FROM crmsync.sync_runs WHERE stream = 'customer')`,
      )
      const firstPageMs = first[0]?.fetch_ms ?? NaN
      await client.query('CREATE SCHEMA bench; CREATE TABLE bench.same (LIKE salespro.customer INCLUDING ALL)')
      // and of the source's own columns, from Athena's result file, into a plain typed table with the same key
      await client.query(`CREATE TABLE bench.source (customer_id text PRIMARY KEY, estimate_id text, company_id text, company_name text,
        customer_first_name text, customer_last_name text, crm_source text, crm_source_id text, created_at timestamp, updated_at timestamp)`)
      await client.end()
      if (pair === 1) {
        // PostgreSQL's own COPY of exactly the rows the sync wrote, into an identical empty table
        await copyOut(url, 'SELECT * FROM salespro.customer', files[0])
        const stats = await admin(emulator.env.SALESPRO_ATHENA_ENDPOINT, '/_admin/stats')
        const query = stats.queries.at(-1)
        // the emulator verifies signatures as S3 does: the file is fetched by a signed SDK request
        const object = await resultObject(emulator.env, `${emulator.env.SALESPRO_S3_LOCATION}${query.id}.csv`)
        await pipeline(object, createWriteStream(files[1]))
      }
      await checkpoint(url)
      const sameMs = await copyFile(url, 'bench.same', files[0], '')
      await checkpoint(url)
      const sourceMs = await copyFile(url, 'bench.source', files[1], "(FORMAT csv, HEADER true)")
      const copySameTable = { rowsPerSec: (fullRun.fetched * 1000) / sameMs, durationMs: sameMs }
      measured.push({
        full: { rowsPerSec: fullRate, durationMs: fullRun.durationMs, maxRssMb: full.maxRssMb, firstPageMs },
        copySameTable,
        copySourceColumns: { rowsPerSec: (fullRun.fetched * 1000) / sourceMs, durationMs: sourceMs },
        ratio: fullRate / copySameTable.rowsPerSec,
      })
      log(`salespro: pair ${pair} of ${pairs}: full sync ${fmt(fullRun.fetched)} rows in ${fmt(fullRun.durationMs / 1000, 1)} s = ${fmt(fullRate)} rows/s, peak RSS ${fmt(full.maxRssMb)} MB; COPY of the same rows ${fmt(copySameTable.rowsPerSec)} rows/s (${fmt(statSync(files[0]).size / 1e6)} MB), of the source columns ${fmt((fullRun.fetched * 1000) / sourceMs)} rows/s; ratio ${fmt(fullRate / copySameTable.rowsPerSec, 2)}`)
    }
    const median = [...measured].sort((x, y) => x.ratio - y.ratio)[Math.floor((measured.length - 1) / 2)]

    // the incremental run, on the last pair's warehouse
    await checkpoint(url)
    await admin(emulator.env.SALESPRO_ATHENA_ENDPOINT, '/_admin/mutate', { table: 'customer', updates: 1000 })
    const incremental = summary(await runCli(['sync', 'salespro', 'customer', '--json'], envFor(url)))
    log(`salespro: incremental after 1,000 changes ${fmt(incremental.fetched)} fetched, ${fmt(incremental.updated)} updated in ${fmt(incremental.durationMs)} ms`)

    return {
      rows,
      ...median,
      full: { ...median.full, maxRssMb: Math.max(...measured.map((m) => m.full.maxRssMb)) },
      pairs: measured,
      small: { rows: 100_000, maxRssMb: small.maxRssMb },
      incremental: { changes: 1000, fetched: incremental.fetched, durationMs: incremental.durationMs, fractionOfFull: incremental.durationMs / median.full.durationMs },
    }
  } finally {
    emulator.stop()
    for (const file of files) rmSync(file, { force: true })
    await dropDatabase(baseUrl, dbName).catch(() => {})
    await dropDatabase(baseUrl, smallDb).catch(() => {})
  }
}
