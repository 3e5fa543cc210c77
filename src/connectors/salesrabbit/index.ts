import { defineConnector } from '../types.ts'
import { createSalesRabbitClient } from './client.ts'
import { loadSalesRabbitConfig, salesRabbitConfigSchema, type SalesRabbitConfig } from './config.ts'
import { defineLeadsStream } from './streams/leads.ts'
import { defineUsersStream } from './streams/users.ts'
import { salesRabbitManifest } from './manifest.ts'

/** SalesRabbit's REST API: leads (incremental on dateModified) and users (read whole every run). */
export const salesrabbit = defineConnector<SalesRabbitConfig>(salesRabbitManifest, {
  configSchema: salesRabbitConfigSchema,
  loadConfig: loadSalesRabbitConfig,
  secrets: (config) => [config.apiToken],
  identity: (config) => ({ api: config.apiUrl }),
  async check(config, ctx) {
    // `GET /` answers without a token, so only a real endpoint proves the token works
    const client = createSalesRabbitClient({ ...config, maxAttempts: Math.min(config.maxAttempts, 2) })
    await client.list('users', { page: 1, perPage: 1 }, ctx)
    return 'REST API reachable'
  },
  streamNames: () => ['leads', 'users'],
  async streams(config) {
    // one client for both streams, so `requestsPerMinute` paces the source as a whole
    const client = createSalesRabbitClient(config)
    return [defineLeadsStream(client, config), defineUsersStream(client, config)]
  },
})
