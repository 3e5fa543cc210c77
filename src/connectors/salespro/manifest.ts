import { credential, defineManifest } from '../manifest.ts'
import { salesProFileShape } from './config.ts'

/** SalesPro's static half: no AWS SDK here (docs/design.md §2). */
export const salesProManifest = defineManifest({
  name: 'salespro',
  title: 'SalesPro (AWS Athena)',
  credentials: [
    credential('SALESPRO_ACCESS_KEY_ID', true),
    credential('SALESPRO_SECRET_ACCESS_KEY', true),
    credential('SALESPRO_S3_LOCATION', false),
    credential('SALESPRO_SERVER_REGION', false, false),
    credential('SALESPRO_DATABASE', false, false),
  ],
  fileShape: salesProFileShape,
  // large commits: each transaction's fixed cost (round trips, a WAL flush) paid a quarter as often
  // (1M customers ~15% faster, measured); the engine also ends a batch at ~8 MB of rows
  defaults: { lookbackSeconds: 3600, horizonSeconds: 0, batchSize: 20000 },
  defaultConfigLines: [
    '// "timeZone": "UTC",',
    '// "streams": { "estimate": { "schema": "evolve", "columns": { "zip_code": "text", "internal_notes": "ignore" } } },',
    '// the Athena database holding the SalesPro tables (SALESPRO_DATABASE overrides it)',
    '// "database": "home_genius_db",',
  ],
  // Athena runs queries side by side; each run holds one query at a time
  concurrency: 4,
  // each query waits seconds in Athena's queue whatever its size, so streams overlap their waits;
  // four of the account's 20-25 concurrent DML queries leave headroom for everyone else's
  streamConcurrency: 4,
  // Athena queries are slower (the seed's values): 60 s per request and a limit on a batch's time
  alerts: { sync_response_time: { threshold: 60 }, batch_processing_time: { enabled: true } },
  emulator: {
    port: 4510,
    title: 'SalesPro over Athena',
    rowsName: 'customers',
    urlVariable: 'SALESPRO_ATHENA_ENDPOINT',
    tablesOption: true,
    queryLatencyOption: true,
    start: async ({ queryLatencyMs, ...options }) => (await import('../../../emulators/salespro/index.ts')).startSalesProEmulator({ ...options, queryDelayMs: queryLatencyMs }),
    demo: {
      said: 'SalesPro: 250 customers updated, 40 added, 5 deleted; 100 estimates and 60 lead results updated',
      mutations: [
        { table: 'customer', updates: 250, inserts: 40, deletes: 5 },
        { table: 'estimate', updates: 100 },
        { table: 'lead_results', updates: 60 },
      ],
      fullPass: {
        stream: 'customer',
        said: 'SalesPro (Athena) has no change feed: a deleted row is seen to be gone only by a full pass, so one runs for salespro.customer…',
      },
    },
  },
})
