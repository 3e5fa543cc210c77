import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import pg from 'pg'
import copyStreams from 'pg-copy-streams'
import { parseS3Url } from '../src/connectors/salespro/client.ts'
import { quoteIdent } from '../src/warehouse/identifiers.ts'
import { postgresCpuMs, processCpuMs } from './cpu.ts'
import { admin, benchHome, dropDatabase, fmt, freshDatabase, runCli, startEmulatorProcess, type CliRun } from './lib.ts'
import { summarizeProfile, type ProfileSummary } from './profile.ts'

/** One full `crmsync sync salespro customer` measured: the run's own time, the command's, memory, and every process's CPU. */
export interface SyncMeasure {
  fetched: number
  /** the run's own time (crmsync's summary): Athena query to last commit */
  durationMs: number
  /** the command's: process start to exit */
  wallMs: number
  maxRssMb: number
  /** the wait for the first page: the emulated Athena query running, then its first rows */
  firstPageMs: number
  /** CPU time (user + system) during the command: crmsync's process, PostgreSQL's, the emulator's */
  cpu: { crmsyncMs: number; postgresMs: number; emulatorMs: number }
}

/** One full sync and, right after it, PostgreSQL's COPY of the same rows, two ways: a pair measured together. */
export interface SyncAndCopy {
  full: SyncMeasure
  copySameTable: { rowsPerSec: number; durationMs: number }
  copySourceColumns: { rowsPerSec: number; durationMs: number }
  /** the same rows again, in the order the sync wrote them (each batch in key order): what that order alone is worth to COPY */
  copySyncOrder: { rowsPerSec: number; durationMs: number }
  /** sync's rows/s (its run's time) ÷ COPY's of the same rows into an identical table */
  ratioSameTable: number
  /** sync's rows/s (its run's time) ÷ COPY's of the source's own columns */
  ratioSourceColumns: number
  /** the whole command's rows/s (process start to exit) ÷ COPY's of the same rows */
  ratioCommand: number
  /** right after the COPYs, 1,000 changes in the source, then an incremental run into the same warehouse */
  incremental: { fetched: number; updated: number; durationMs: number }
  /** the incremental run's time ÷ the full run's: both measured minutes apart, so the machine's drift moves both */
  incrementalShare: number
  /**
   * PostgreSQL alone doing what the incremental run asks of it, right after it: an UPDATE of as
   * many scattered rows of the identical table, every column rewritten, from a checkpoint (the
   * floor under the incremental run: no crmsync, no Athena)
   */
  postgresUpdate: { rows: number; durationMs: number }
  /** that UPDATE's time ÷ the full run's: the share of the full run PostgreSQL itself needs for the changes */
  postgresUpdateShare: number
  /** the machine's 1-minute load average as the pair started */
  loadAtStart: number
  /** last, one more full sync into a fresh database with the stream's contract `raw: slim` */
  slim: SyncMeasure
  /** the slim sync's rows/s ÷ COPY's of the source's own columns */
  ratioSlimSourceColumns: number
  /** salespro.customer with its key and TOAST, after the full sync: whole `_raw`, then slim */
  tableMb: { whole: number; slim: number }
}

export type PairRatio = 'ratioSameTable' | 'ratioSourceColumns' | 'ratioCommand' | 'incrementalShare' | 'ratioSlimSourceColumns' | 'postgresUpdateShare'

export interface SalesProBench {
  rows: number
  emulatorCommand: string
  /** every pair measured, in order */
  pairs: SyncAndCopy[]
  /** for each ratio, the pair whose ratio is the median */
  median: Record<PairRatio, SyncAndCopy>
  /** peak RSS of full syncs of tables of these sizes (each its own emulator and fresh database; the middle one is the pairs') */
  rss: { rows: number; maxRssMb: number; durationMs: number }[]
  /** the changes each pair's incremental run follows */
  incrementalChanges: number
  /** one more full sync under `node --cpu-prof` */
  profile: { sync: SyncMeasure; summary: ProfileSummary }
}

const summary = (run: CliRun) => {
  if (run.code !== 0) throw new Error(`crmsync failed (${run.code}): ${run.stderr.slice(-2000)}`)
  return JSON.parse(run.stdout).runs[0] as { fetched: number; durationMs: number; updated: number }
}

const SYNC = ['sync', 'salespro', 'customer', '--json']

/**
 * One full sync into `url` (a fresh database), from a checkpoint, with the CPU every process
 * spent meanwhile: crmsync's from /usr/bin/time, PostgreSQL's and the emulator's from /proc.
 */
async function measureSync(url: string, env: NodeJS.ProcessEnv, emulatorPid: number, nodeArgs: string[] = []): Promise<SyncMeasure> {
  // every timed load starts from a checkpoint, so none pays for writing back another's pages
  // (a checkpoint that max_wal_size forces in the middle of one moves its figure by ~20%)
  await checkpoint(url)
  const before = { postgres: postgresCpuMs(), emulator: processCpuMs(emulatorPid) }
  const run = await runCli(SYNC, { ...env, DATABASE_URL: url }, nodeArgs)
  const cpu = { crmsyncMs: run.cpuMs, postgresMs: postgresCpuMs() - before.postgres, emulatorMs: processCpuMs(emulatorPid) - before.emulator }
  const { fetched, durationMs } = summary(run)
  const { rows: first } = await withClient(url, (client) =>
    client.query<{ fetch_ms: number }>(`SELECT fetch_ms FROM crmsync.run_pages WHERE page_no = 1 AND run_id = (SELECT max(id) FROM crmsync.sync_runs WHERE stream = 'customer')`),
  )
  return { fetched, durationMs, wallMs: run.wallMs, maxRssMb: run.maxRssMb, firstPageMs: first[0]?.fetch_ms ?? NaN, cpu }
}

/** A full sync of a table of `rows` customers: its own emulator, a fresh database, for the sync's peak RSS at that size. */
async function fullSyncOfSize(baseUrl: string, rows: number): Promise<SalesProBench['rss'][number]> {
  const emulator = await startEmulatorProcess(['salespro', '--rows', String(rows), '--tables', 'customer', '--seed', '7'])
  const dbName = 'crmsync_bench_salespro_size'
  try {
    const url = await freshDatabase(baseUrl, dbName)
    const sync = await measureSync(url, { ...process.env, ...emulator.env, ...benchHome() }, emulator.child.pid ?? 0)
    return { rows: sync.fetched, maxRssMb: sync.maxRssMb, durationMs: sync.durationMs }
  } finally {
    await emulator.stop()
    await dropDatabase(baseUrl, dbName).catch(() => {})
  }
}

const median = (pairs: SyncAndCopy[], ratio: PairRatio) => [...pairs].sort((x, y) => x[ratio] - y[ratio])[Math.floor((pairs.length - 1) / 2)]

/** a result file from the emulator's S3, signed with the emulator's credentials as crmsync signs */
async function resultObject(env: Record<string, string>, url: string): Promise<Readable> {
  const s3 = new S3Client({
    region: env.SALESPRO_SERVER_REGION,
    endpoint: env.SALESPRO_S3_ENDPOINT,
    credentials: { accessKeyId: env.SALESPRO_ACCESS_KEY_ID, secretAccessKey: env.SALESPRO_SECRET_ACCESS_KEY },
    forcePathStyle: true,
  })
  const { bucket, key } = parseS3Url(url)
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  const body = Body as Readable
  body.once('close', () => s3.destroy())
  return body
}

/** COPYs a file into a table through the client, as a loader would, and times it. */
function copyFile(url: string, table: string, file: string, options: string): Promise<number> {
  return withClient(url, async (client) => {
    const started = performance.now()
    await pipeline(createReadStream(file), client.query(copyStreams.from(`COPY ${table} FROM STDIN ${options}`)))
    return performance.now() - started
  })
}

const checkpoint = (url: string) => withClient(url, (client) => client.query('CHECKPOINT'))

const copyOut = (url: string, sql: string, file: string) =>
  withClient(url, (client) => pipeline(client.query(copyStreams.to(`COPY (${sql}) TO STDOUT`)), createWriteStream(file)))

/** Runs `fn` on a connection of its own to `url`, closed after, whatever `fn` did. */
async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

const CHANGES = 1000

/**
 * PostgreSQL's own price for what an incremental run asks of it: `CHANGES` rows of `bench.same`
 * (the identical table the first COPY filled with the sync's `tableRows` rows, in the source's order), sampled across the whole
 * table as the emulator's changes are, each rewritten in every column from a table of new values
 * by one UPDATE, timed from a checkpoint. As in the incremental run's merge, each row's heap page
 * and key leaf are read and touched for the first time since the checkpoint: the floor under it.
 */
async function updateScattered(url: string, tableRows: number, seed: number): Promise<{ rows: number; durationMs: number }> {
  return withClient(url, async (client) => {
    const { rows: columns } = await client.query<{ name: string }>(
      `SELECT attname AS name FROM pg_attribute WHERE attrelid = 'bench.same'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    )
    const set = columns.map(({ name }) => `${quoteIdent(name)} = c.${quoteIdent(name)}`).join(', ')
    // BERNOULLI picks rows all over the table: ~1,200 of them (never under 1,000 in practice), of
    // which LIMIT keeps the first 1,000, from the first ~5/6 of the table
    const percent = Math.min(100, (CHANGES * 120) / tableRows)
    await client.query(`CREATE TABLE bench.changes AS SELECT * FROM bench.same TABLESAMPLE BERNOULLI (${percent}) REPEATABLE (${seed}) LIMIT ${CHANGES}`)
    await client.query(`UPDATE bench.changes SET customer_first_name = customer_first_name || ' (changed)', updated_at = now()`)
    await client.query('CHECKPOINT')
    const started = performance.now()
    const { rowCount } = await client.query(`UPDATE bench.same t SET ${set} FROM bench.changes c WHERE t.customer_id = c.customer_id`)
    return { rows: rowCount ?? 0, durationMs: performance.now() - started }
  })
}

/** the bench's config for the slim syncs: the customer stream's contract `raw: slim` */
const SLIM_CONFIG = { sources: { salespro: { streams: { customer: { raw: 'slim' } } } } }

/** salespro.customer's size with its indexes and TOAST, in MB */
const tableMb = (url: string) =>
  withClient(url, async (client) => Number((await client.query(`SELECT pg_total_relation_size('salespro.customer') AS bytes`)).rows[0].bytes) / 1e6)

/**
 * Issue 2's and 18's benchmark: full syncs of `rows` SalesPro customers from the Athena emulator
 * into PostgreSQL, each followed at once by PostgreSQL's own COPY of the same rows (two ways, both
 * reported) and by an incremental run after 1,000 changes; peak RSS of full syncs of a tenth of
 * `rows`, `rows` and twice `rows`; one more full sync under the CPU profiler. The sync, its COPYs
 * and its incremental run are measured as `pairs` interleaved pairs, each on a fresh database and
 * a fresh emulator (so every pair reads the same source and its incremental run the same changes):
 * this machine's speed drifts by a third from one minute to the next, and a pair measured together
 * drifts together; the median pair of each ratio is reported, and every pair listed.
 */
export async function benchSalesPro(baseUrl: string, rows: number, pairs: number, log: (line: string) => void): Promise<SalesProBench> {
  const rss: SalesProBench['rss'] = []
  const small = Math.round(rows / 10)
  rss.push(await fullSyncOfSize(baseUrl, small))
  log(`salespro: full sync of ${fmt(small)} customers: peak RSS ${fmt(rss[0].maxRssMb)} MB`)

  const emulatorArgs = ['salespro', '--rows', String(rows), '--tables', 'customer', '--seed', '7']
  const dbName = 'crmsync_bench_salespro'
  const profileDb = 'crmsync_bench_salespro_profile'
  const files = [join(tmpdir(), 'crmsync-bench-table.copy'), join(tmpdir(), 'crmsync-bench-source.csv'), join(tmpdir(), 'crmsync-bench-sync-order.copy')]
  const profileDir = mkdtempSync(join(tmpdir(), 'crmsync-bench-profile-'))
  let emulator: Awaited<ReturnType<typeof startEmulatorProcess>> | undefined
  try {
    log(`salespro: ${fmt(rows)} customers in the emulator`)
    const measured: SyncAndCopy[] = []
    for (let pair = 1; pair <= pairs; pair++) {
      await emulator?.stop()
      emulator = await startEmulatorProcess(emulatorArgs)
      const env = { ...process.env, ...emulator.env, ...benchHome() }
      const loadAtStart = loadavg()[0]
      const url = await freshDatabase(baseUrl, dbName)
      const full = await measureSync(url, env, emulator.child.pid ?? 0)
      const fullRate = (full.fetched * 1000) / full.durationMs

      await withClient(url, async (client) => {
        await client.query('CREATE SCHEMA bench; CREATE TABLE bench.same (LIKE salespro.customer INCLUDING ALL); CREATE TABLE bench.ordered (LIKE salespro.customer INCLUDING ALL)')
        // and of the source's own columns, from Athena's result file, into a plain typed table with the same key
        await client.query(`CREATE TABLE bench.source (customer_id text PRIMARY KEY, estimate_id text, company_id text, company_name text,
        customer_first_name text, customer_last_name text, crm_source text, crm_source_id text, created_at timestamp, updated_at timestamp)`)
      })
      if (pair === 1) {
        // PostgreSQL's own COPY of exactly the rows the sync wrote, into an identical empty table,
        // in the order the source sent them (Athena's query orders by the cursor, then the key): the
        // table's own order is the sync's, which writes each batch in key order, and that order
        // alone makes a COPY a third faster (docs/benchmarks.md, "Batches in key order")
        await copyOut(url, 'SELECT * FROM salespro.customer ORDER BY updated_at NULLS FIRST, customer_id', files[0])
        await copyOut(url, 'SELECT * FROM salespro.customer', files[2])
        const stats = await admin(emulator.env.SALESPRO_ATHENA_ENDPOINT, '/_admin/stats')
        const query = stats.queries.at(-1)
        // the emulator verifies signatures as S3 does: the file is fetched by a signed SDK request
        const object = await resultObject(emulator.env, `${emulator.env.SALESPRO_S3_LOCATION}${query.id}.csv`)
        await pipeline(object, createWriteStream(files[1]))
      }
      await checkpoint(url)
      const sameMs = await copyFile(url, 'bench.same', files[0], '')
      await checkpoint(url)
      const sourceMs = await copyFile(url, 'bench.source', files[1], '(FORMAT csv, HEADER true)')
      await checkpoint(url)
      const syncOrderMs = await copyFile(url, 'bench.ordered', files[2], '')
      const copied = (durationMs: number) => ({ rowsPerSec: (full.fetched * 1000) / durationMs, durationMs })
      const copySameTable = copied(sameMs)
      const copySourceColumns = copied(sourceMs)

      // the incremental run, on this pair's warehouse
      await checkpoint(url)
      await admin(emulator.env.SALESPRO_ATHENA_ENDPOINT, '/_admin/mutate', { table: 'customer', updates: CHANGES })
      const incremental = summary(await runCli(SYNC, { ...env, DATABASE_URL: url }))
      const postgresUpdate = await updateScattered(url, full.fetched, pair)
      const wholeMb = await tableMb(url)
      await dropDatabase(baseUrl, dbName)

      // the same table again with `raw: slim` (README "Slim `_raw`"): the opt-in's own figures, beside the default's
      const slimUrl = await freshDatabase(baseUrl, dbName)
      const slim = await measureSync(slimUrl, { ...env, ...benchHome(SLIM_CONFIG, 'crmsync-bench-config-slim.json') }, emulator.child.pid ?? 0)
      const slimMb = await tableMb(slimUrl)
      const measure: SyncAndCopy = {
        full,
        copySameTable,
        copySourceColumns,
        copySyncOrder: copied(syncOrderMs),
        ratioSameTable: fullRate / copySameTable.rowsPerSec,
        ratioSourceColumns: fullRate / copySourceColumns.rowsPerSec,
        ratioCommand: sameMs / full.wallMs,
        incremental,
        incrementalShare: incremental.durationMs / full.durationMs,
        postgresUpdate,
        postgresUpdateShare: postgresUpdate.durationMs / full.durationMs,
        loadAtStart,
        slim,
        ratioSlimSourceColumns: (slim.fetched * 1000) / slim.durationMs / copySourceColumns.rowsPerSec,
        tableMb: { whole: wholeMb, slim: slimMb },
      }
      measured.push(measure)
      log(`salespro: pair ${pair} of ${pairs} (load ${fmt(loadAtStart, 2)}): full sync ${fmt(full.fetched)} rows in ${fmt(full.durationMs / 1000, 1)} s (command ${fmt(full.wallMs / 1000, 1)} s) = ${fmt(fullRate)} rows/s, peak RSS ${fmt(full.maxRssMb)} MB; COPY of the same rows ${fmt(copySameTable.rowsPerSec)} rows/s (${fmt(statSync(files[0]).size / 1e6)} MB), of the source columns ${fmt(copySourceColumns.rowsPerSec)} rows/s; ratios ${fmt(measure.ratioSameTable, 2)}, ${fmt(measure.ratioSourceColumns, 2)}, command ${fmt(measure.ratioCommand, 2)}; incremental after ${fmt(CHANGES)} changes ${fmt(incremental.fetched)} fetched, ${fmt(incremental.updated)} updated in ${fmt(incremental.durationMs)} ms (${fmt(measure.incrementalShare * 100, 2)}% of the full run), PostgreSQL's own UPDATE of ${fmt(postgresUpdate.rows)} scattered rows ${fmt(postgresUpdate.durationMs)} ms (${fmt(measure.postgresUpdateShare * 100, 2)}%); with raw: slim, full sync ${fmt(slim.durationMs / 1000, 1)} s, ÷ COPY of the source columns ${fmt(measure.ratioSlimSourceColumns, 2)}, table ${fmt(slimMb)} MB (whole ${fmt(wholeMb)} MB)`)
      await dropDatabase(baseUrl, dbName)
    }
    const medians = {
      ratioSameTable: median(measured, 'ratioSameTable'),
      ratioSourceColumns: median(measured, 'ratioSourceColumns'),
      ratioCommand: median(measured, 'ratioCommand'),
      incrementalShare: median(measured, 'incrementalShare'),
      ratioSlimSourceColumns: median(measured, 'ratioSlimSourceColumns'),
      postgresUpdateShare: median(measured, 'postgresUpdateShare'),
    }
    rss.push({ rows, maxRssMb: Math.max(...measured.map((m) => m.full.maxRssMb)), durationMs: medians.ratioSameTable.full.durationMs })

    // the profiler slows the sync: its figures are its own, never a pair's (the last pair's emulator, its changes included)
    const env = { ...process.env, ...emulator!.env, ...benchHome() }
    const profileSync = await measureSync(await freshDatabase(baseUrl, profileDb), env, emulator!.child.pid ?? 0, ['--cpu-prof', '--cpu-prof-dir', profileDir])
    const profile = { sync: profileSync, summary: summarizeProfile(profileDir) }
    log(`salespro: profiled full sync ${fmt(profileSync.durationMs / 1000, 1)} s; CPU crmsync ${fmt(profileSync.cpu.crmsyncMs / 1000, 1)} s, PostgreSQL ${fmt(profileSync.cpu.postgresMs / 1000, 1)} s, emulator ${fmt(profileSync.cpu.emulatorMs / 1000, 1)} s`)
    await dropDatabase(baseUrl, profileDb)
    await emulator?.stop()
    emulator = undefined

    const large = rows * 2
    rss.push(await fullSyncOfSize(baseUrl, large))
    log(`salespro: full sync of ${fmt(large)} customers: peak RSS ${fmt(rss[2].maxRssMb)} MB`)

    return { rows, emulatorCommand: `crmsync emulate ${emulatorArgs.join(' ')}`, pairs: measured, median: medians, rss, incrementalChanges: CHANGES, profile }
  } finally {
    await emulator?.stop()
    for (const file of files) rmSync(file, { force: true })
    rmSync(profileDir, { recursive: true, force: true })
    await dropDatabase(baseUrl, dbName).catch(() => {})
    await dropDatabase(baseUrl, profileDb).catch(() => {})
  }
}
