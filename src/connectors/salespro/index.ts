import { SyncError } from '../../errors.ts'
import { defineConnector, type Stream } from '../types.ts'
import { createAthenaGateway } from './client.ts'
import { loadSalesProConfig, salesProConfigSchema, type SalesProConfig } from './config.ts'
import { customer, creditApplication, estimate, payment } from './streams/keyed-tables.ts'
import { leadResult, leadResultLineItem } from './streams/lead-results.ts'
import { userActivity } from './streams/user-activity.ts'
import { defineTableStream } from './streams/table-stream.ts'
import { salesProManifest } from './manifest.ts'

/** SalesPro's data, reachable only through AWS Athena SQL, in the seed's order (customers first). */
export const SALESPRO_STREAMS = [customer, creditApplication, estimate, leadResult, leadResultLineItem, payment, userActivity]

export const salespro = defineConnector<SalesProConfig>(salesProManifest, {
  configSchema: salesProConfigSchema,
  loadConfig: loadSalesProConfig,
  secrets: (config) => [config.secretAccessKey, config.accessKeyId],
  async check(config, ctx) {
    const gateway = createAthenaGateway(config)
    try {
      const query = await gateway.run(`SELECT 1 AS ok`, ctx)
      for await (const batch of gateway.batches(query, ctx))
        for (let i = 0; i < batch.count; i++) if (batch.row(i).ok !== '1') throw new SyncError('source_bad_response', 'athena answered SELECT 1 with something else')
    } finally {
      gateway.destroy()
    }
    return `Athena reachable (database ${config.database})`
  },
  // the Athena it asks and the database it reads; where results land (SALESPRO_S3_LOCATION) may move
  identity: (config) => ({ athena: config.athenaEndpoint ?? `athena.${config.region}.amazonaws.com`, database: config.database }),
  streams: async (config) => SALESPRO_STREAMS.map((spec) => defineTableStream(spec, config)) as Stream[],
  streamNames: () => SALESPRO_STREAMS.map((spec) => spec.name),
})
