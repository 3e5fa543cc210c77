/**
 * Figures for the SalesPro emulator at benchmark scale (no pass/fail):
 *   node --import tsx emulators/salespro/bench.ts [customers=1000000] [--pages]
 * Prints generation time, the time to produce a full ordered result, and the time to read it
 * back through S3 (and, with --pages, through GetQueryResults).
 */
import { GetQueryResultsCommand } from '@aws-sdk/client-athena'
import { GetObjectCommand } from '@aws-sdk/client-s3'
import { startSalesProEmulator } from './index.ts'
import { runQuery, s3Location, sdkClients } from './test-helpers.ts'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const rows = Number(process.argv[2] ?? 1_000_000)
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(2)

let t = performance.now()
const emulator = await startSalesProEmulator({ rows, only: ['customer'] })
console.log(`generate + start, ${rows} customers: ${seconds(t)} s`)
try {
  const { athena, s3 } = sdkClients(emulator)
  t = performance.now()
  const sql = 'SELECT * FROM customer ORDER BY updated_at, customer_id'
  const execution = await runQuery(athena, emulator, sql)
  console.log(`${sql} → ${execution.Status?.State}: ${seconds(t)} s`)

  t = performance.now()
  const location = s3Location(execution.ResultConfiguration!.OutputLocation!)
  const object = await s3.send(new GetObjectCommand(location))
  let bytes = 0
  for await (const chunk of object.Body as AsyncIterable<Uint8Array>) bytes += chunk.length
  console.log(`S3 GetObject of the result CSV (${(bytes / 1e6).toFixed(1)} MB): ${seconds(t)} s`)

  if (process.argv.includes('--pages')) {
    t = performance.now()
    let read = 0
    let token: string | undefined
    do {
      const input = { QueryExecutionId: execution.QueryExecutionId, MaxResults: 1000, NextToken: token }
      const page = await athena.send(new GetQueryResultsCommand(input))
      read += page.ResultSet!.Rows!.length
      token = page.NextToken
    } while (token)
    console.log(`GetQueryResults, ${read} rows in pages of 1000: ${seconds(t)} s`)
  }
  console.log(`rss: ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`)
} finally {
  await emulator.close()
}
