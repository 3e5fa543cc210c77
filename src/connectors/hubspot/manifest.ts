import { credential, defineManifest } from '../manifest.ts'
import { hubSpotFileShape } from './config.ts'

/** HubSpot's static half: no @hubspot/api-client here (docs/design.md §2). */
export const hubSpotManifest = defineManifest({
  name: 'hubspot',
  title: 'HubSpot CRM',
  credentials: [credential('HUBSPOT_API_TOKEN', true)],
  fileShape: hubSpotFileShape,
  // HubSpot's search index lags behind its writes by seconds: each incremental window re-reads the
  // last 10 minutes, so a record indexed late is caught by the next run. No horizon by default (a
  // change made just before a run is in that run when it is already searchable); set
  // `horizonSeconds` to hold back the newest seconds when every run must see the index settled.
  defaults: { lookbackSeconds: 600, horizonSeconds: 0, batchSize: 100 },
  // one stream at a time: the request budget is per portal, shared by every worker
  concurrency: 1,
  // in one process every stream draws on one governor (client.ts: one per token and endpoint), so
  // the budget holds at any number; three keep the budget busy while one stream waits on an answer
  streamConcurrency: 3,
  emulator: {
    port: 4520,
    title: 'HubSpot',
    rowsName: 'contacts',
    urlVariable: 'HUBSPOT_BASE_URL',
    start: async ({ only: _only, queryLatencyMs: _latency, ...options }) => (await import('../../../emulators/hubspot/index.ts')).startHubSpotEmulator(options),
    demo: {
      said: 'HubSpot: 120 contacts updated, 10 added, 4 archived; 30 deals updated',
      mutations: [
        { table: 'contacts', updates: 120, inserts: 10, deletes: 4 },
        { table: 'deals', updates: 30 },
      ],
    },
  },
})
