import {
  AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  type QueryExecution,
} from '@aws-sdk/client-athena'
import { S3Client } from '@aws-sdk/client-s3'
import type { RunningEmulator } from '../shared/http.ts'

/** the official SDK clients, configured only through the emulator's env (as crmsync does) */
export function sdkClients(emulator: RunningEmulator, accessKeyId = emulator.env.SALESPRO_ACCESS_KEY_ID) {
  const credentials = { accessKeyId, secretAccessKey: emulator.env.SALESPRO_SECRET_ACCESS_KEY }
  const region = emulator.env.SALESPRO_SERVER_REGION
  return {
    athena: new AthenaClient({ endpoint: emulator.env.SALESPRO_ATHENA_ENDPOINT, region, credentials }),
    s3: new S3Client({
      endpoint: emulator.env.SALESPRO_S3_ENDPOINT,
      region,
      credentials,
      forcePathStyle: true,
    }),
  }
}

export async function startQuery(
  athena: AthenaClient,
  emulator: RunningEmulator,
  sql: string,
  token?: string,
): Promise<string> {
  const { QueryExecutionId } = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      ClientRequestToken: token,
      QueryExecutionContext: { Database: emulator.env.SALESPRO_DATABASE },
      ResultConfiguration: { OutputLocation: emulator.env.SALESPRO_S3_LOCATION },
    }),
  )
  return QueryExecutionId!
}

/** polls GetQueryExecution until the query leaves QUEUED/RUNNING */
export async function waitForQuery(athena: AthenaClient, id: string): Promise<QueryExecution> {
  for (;;) {
    const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))
    if (!['QUEUED', 'RUNNING'].includes(QueryExecution!.Status!.State!)) return QueryExecution!
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

export async function runQuery(athena: AthenaClient, emulator: RunningEmulator, sql: string) {
  return waitForQuery(athena, await startQuery(athena, emulator, sql))
}

/** an admin call; throws on a non-2xx answer (the answer is `any`: tests assert its shape) */
export async function admin(
  emulator: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<any> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await response.json()
  if (!response.ok) {
    const error = new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`)
    throw Object.assign(error, { status: response.status, body: json })
  }
  return json
}

/** `s3://bucket/key` → GetObject input */
export function s3Location(url: string): { Bucket: string; Key: string } {
  const [Bucket, ...key] = url.replace(/^s3:\/\//, '').split('/')
  return { Bucket, Key: key.join('/') }
}
