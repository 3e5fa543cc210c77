import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { HttpError, startEmulatorServer, type RunningEmulator } from '../shared/http.ts'
import { createRandom, deriveSeed } from '../shared/random.ts'
import { createAthenaApi } from './athena-api.ts'
import { AthenaApiError, sendAthenaError, throttling } from './athena-errors.ts'
import type { AwsIdentity } from './auth.ts'
import { alter, parseAlterRequest } from './alter.ts'
import { athenaTableCounts, openDatabase, streamCounts } from './database.ts'
import { generateTables } from './generate-tables.ts'
import { createGenerators } from './generators.ts'
import { mutate, parseMutateRequest } from './mutate.ts'
import { createOrg } from './org.ts'
import { createQueryExecutions } from './query-executions.ts'
import { orderByTime } from './time-order.ts'
import { createS3Api, type S3Object } from './s3-api.ts'
import { sendS3InternalError, sendS3SlowDown } from './s3-errors.ts'
import { createScanEstimator } from './scanned-bytes.ts'
import { createSerial } from './serial.ts'
import { createSourceFaultState } from './source-faults.ts'
import { createRequestCounter, createStatsRoutes } from './stats.ts'
import { ATHENA_TABLES } from './tables.ts'

export { LEAD_RESULT_TITLES, countLineItems } from './lead-result-titles.ts'
export { ATHENA_TABLES, STREAMS, TABLES } from './tables.ts'

export const SALESPRO_ACCESS_KEY_ID = 'emulator-access-key'
export const SALESPRO_SECRET_ACCESS_KEY = 'emulator-secret-key'
export const SALESPRO_S3_LOCATION = 's3://crmsync-emulator/athena-results/'
export const SALESPRO_REGION = 'us-east-1'

export interface SalesProEmulatorOptions {
  /** @default '127.0.0.1' */
  host?: string
  /** @default 0 (a free port) */
  port?: number
  /** number of customers; the other tables follow in proportion. @default 1000 */
  rows?: number
  /** @default 1 */
  seed?: number
  /** the Athena database. @default 'home_genius_db' */
  database?: string
  /** generate only these Athena tables; the others exist but are empty. @example ['customer'] */
  only?: string[]
  /** time a query spends QUEUED + RUNNING before it finishes. @default 0 */
  queryDelayMs?: number
  /** malformed rows added to each updatable table (NULL/'' keys, NULL timestamps, bad JSON). @default 0 */
  malformed?: number
  /** the one access key id whose requests are accepted. @default SALESPRO_ACCESS_KEY_ID */
  accessKeyId?: string
  /** its secret: every request's SigV4 signature is verified with it. @default SALESPRO_SECRET_ACCESS_KEY */
  secretAccessKey?: string
}

const optionsSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(0),
    rows: z.number().int().nonnegative().max(20_000_000).default(1000),
    seed: z.number().int().default(1),
    database: z
      .string()
      .regex(/^[a-z0-9_]{1,255}$/, 'Athena database names are lower-case letters, digits and _')
      .default('home_genius_db'),
    only: z.array(z.enum(ATHENA_TABLES)).optional(),
    queryDelayMs: z.number().int().nonnegative().default(0),
    malformed: z.number().int().nonnegative().default(0),
    accessKeyId: z.string().min(1).default(SALESPRO_ACCESS_KEY_ID),
    secretAccessKey: z.string().min(1).default(SALESPRO_SECRET_ACCESS_KEY),
  })
  .strict()

/**
 * Starts the SalesPro emulator: Athena (`POST /`, `X-Amz-Target: AmazonAthena.*`) and
 * path-style S3 (`GET|HEAD /<bucket>/<key>`) on one port, over a DuckDB holding seeded
 * SalesPro tables. The official AWS SDK clients talk to it unchanged, and must sign with the
 * credentials in `env`: like AWS, it verifies every request's Signature Version 4.
 */
export async function startSalesProEmulator(options: SalesProEmulatorOptions = {}): Promise<RunningEmulator> {
  const config = optionsSchema.parse(options)
  const dir = await mkdtemp(join(tmpdir(), 'crmsync-salespro-'))
  try {
    return await startOn(config, dir)
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}

async function startOn(config: z.infer<typeof optionsSchema>, dir: string): Promise<RunningEmulator> {
  const db = await openDatabase(config.database, join(dir, 'results.duckdb'))
  const org = createOrg(config.seed)
  const generators = createGenerators(config.seed, org)
  const admin = await db.connect()
  const parser = await db.connect()
  const adminSerial = createSerial()
  const parseSerial = createSerial()
  // shared by every mutate request, as the id counters are (MutateContext.deletedLeadResults)
  const deletedLeadResults = new Set<string>()
  const counters = await generateTables(admin, db, generators, {
    rows: config.rows,
    only: new Set(config.only ?? ATHENA_TABLES),
    malformed: config.malformed,
  })
    .then(async (counters) => {
      for (const table of config.only ?? ATHENA_TABLES) await orderByTime(admin, db, table)
      return counters
    })
    .catch((error) => {
      db.close()
      throw error
    })

  const faults = createSourceFaultState()
  const faultRandom = createRandom(deriveSeed(config.seed, 'faults'))
  const mutationRandom = createRandom(deriveSeed(config.seed, 'mutations'))
  const requests = createRequestCounter()
  const objects = new Map<string, S3Object>()
  const identity: AwsIdentity = { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, region: SALESPRO_REGION }
  const executions = createQueryExecutions({
    db,
    resultsDir: dir,
    delayMs: () => faults.current().queryDelayMs ?? config.queryDelayMs,
    scannedBytes: createScanEstimator(db),
    onResult(execution) {
      const result = execution.result!
      objects.set(execution.outputLocation.slice('s3://'.length), {
        path: result.csvPath,
        size: result.csvBytes,
        etag: `"${createHash('md5').update(`${execution.id}:${result.csvBytes}`).digest('hex')}"`,
        lastModified: new Date(),
      })
    },
  })
  const athena = createAthenaApi({
    identity,
    defaultOutputLocation: SALESPRO_S3_LOCATION,
    executions,
    faults: faults.current,
    random: faultRandom.next,
    countStatements: (sql) => parseSerial(async () => (await parser.extractStatements(sql)).count),
    count: requests.count,
  })
  const s3 = createS3Api({
    identity,
    objects,
    faults: faults.current,
    count: requests.count,
  })
  const s3Responses = new WeakSet<ServerResponse>()
  const isAthena = (req: IncomingMessage) => req.method === 'POST'

  const tables = () => adminSerial(() => streamCounts(admin, db))
  const server = await startEmulatorServer({
    host: config.host,
    port: config.port,
    random: faultRandom.next,
    async handle(req, res) {
      if (isAthena(req)) return athena(req, res)
      s3Responses.add(res)
      return s3(req, res)
    },
    throttle: (req, res) => (isAthena(req) ? sendAthenaError(res, throttling()) : sendS3SlowDown(res)),
    sendError(res, error: HttpError) {
      if (s3Responses.has(res)) return sendS3InternalError(res, error.message)
      // e.g. a body that is not JSON (400); anything unexpected is Athena's InternalServerException
      const type = error.status < 500 ? 'InvalidRequestException' : 'InternalServerException'
      sendAthenaError(res, new AthenaApiError(error.status < 500 ? 400 : 500, type, error.message))
    },
    admin: {
      tables,
      mutate: (body) => {
        const request = parseMutateRequest(body)
        const context = { db, generators, org, counters, random: mutationRandom, deletedLeadResults }
        return adminSerial(() => mutate(admin, context, request))
      },
      extra: {
        'POST /_admin/alter': (body) => {
          const request = parseAlterRequest(body)
          const context = { db, generators, org, counters, random: mutationRandom, deletedLeadResults }
          return adminSerial(() => alter(admin, context, request))
        },
        'GET /_admin/athena-tables': () => adminSerial(() => athenaTableCounts(admin, db)),
        ...createStatsRoutes(executions, requests),
        ...faults.routes,
      },
    },
  })

  let closing: Promise<void> | undefined
  return {
    url: server.url,
    env: {
      SALESPRO_ACCESS_KEY_ID: identity.accessKeyId,
      SALESPRO_SECRET_ACCESS_KEY: identity.secretAccessKey,
      SALESPRO_S3_LOCATION,
      SALESPRO_SERVER_REGION: SALESPRO_REGION,
      SALESPRO_ATHENA_ENDPOINT: server.url,
      SALESPRO_S3_ENDPOINT: server.url,
      SALESPRO_DATABASE: config.database,
    },
    tables,
    close: () =>
      (closing ??= (async () => {
        await server.close()
        await executions.close()
        await adminSerial(async () => admin.closeSync())
        await parseSerial(async () => parser.closeSync())
        db.close()
        await rm(dir, { recursive: true, force: true })
      })()),
  }
}
