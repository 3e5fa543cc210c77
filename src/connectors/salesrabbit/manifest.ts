import { credential, defineManifest } from '../manifest.ts'
import { salesRabbitFileShape } from './config.ts'

/** SalesRabbit's static half (docs/design.md §2). */
export const salesRabbitManifest = defineManifest({
  name: 'salesrabbit',
  title: 'SalesRabbit',
  credentials: [credential('SALESRABBIT_API_TOKEN', true)],
  fileShape: salesRabbitFileShape,
  // an hour of lookback: the server-side filter is not documented as reliable and stamps have whole seconds
  defaults: { lookbackSeconds: 3600, horizonSeconds: 0, batchSize: 2000 },
  concurrency: 2,
  // leads and users side by side: they share one client (index.ts), whose `requestsPerMinute` paces them together
  streamConcurrency: 2,
  emulator: {
    port: 4530,
    title: 'SalesRabbit',
    rowsName: 'leads',
    urlVariable: 'SALESRABBIT_API_URL',
    start: async ({ only: _only, queryLatencyMs: _latency, ...options }) => (await import('../../../emulators/salesrabbit/index.ts')).startSalesRabbitEmulator(options),
    demo: {
      said: 'SalesRabbit: 150 leads updated, 20 added, 6 deleted',
      mutations: [{ table: 'leads', updates: 150, inserts: 20, deletes: 6 }],
    },
  },
})
