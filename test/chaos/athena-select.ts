import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena'

export type AthenaRow = Record<string, string | null>

/** A table's rows and its columns (the header, there even when no row is) */
export interface AthenaTable {
  columns: string[]
  rows: AthenaRow[]
}

/**
 * `SELECT * FROM <table>` through the emulator's Athena API with the official SDK, read back by
 * GetQueryResults. crmsync reads its results from the CSV in S3, so the truth comes by another
 * path than the one under test.
 */
export async function selectAll(env: Record<string, string>, table: string): Promise<AthenaTable> {
  const athena = new AthenaClient({
    region: env.SALESPRO_SERVER_REGION,
    endpoint: env.SALESPRO_ATHENA_ENDPOINT,
    credentials: { accessKeyId: env.SALESPRO_ACCESS_KEY_ID, secretAccessKey: env.SALESPRO_SECRET_ACCESS_KEY },
  })
  try {
    const { QueryExecutionId: id } = await athena.send(
      new StartQueryExecutionCommand({
        QueryString: `SELECT * FROM "${env.SALESPRO_DATABASE}"."${table}"`,
        QueryExecutionContext: { Database: env.SALESPRO_DATABASE },
        ResultConfiguration: { OutputLocation: env.SALESPRO_S3_LOCATION },
      }),
    )
    for (;;) {
      const { QueryExecution: q } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))
      const state = q?.Status?.State
      if (state === 'SUCCEEDED') break
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new Error(`truth query on ${table} ${state}: ${q?.Status?.StateChangeReason}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    const rows: AthenaRow[] = []
    let header: string[] | undefined
    let token: string | undefined
    do {
      const page = await athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 }),
      )
      for (const row of page.ResultSet?.Rows ?? []) {
        // a datum without VarCharValue is SQL NULL; "" is the empty string
        const values = (row.Data ?? []).map((d) => d.VarCharValue ?? null)
        if (!header) header = values.map(String)
        else rows.push(Object.fromEntries(header.map((name, i) => [name, values[i] ?? null])))
      }
      token = page.NextToken
    } while (token)
    return { columns: header ?? [], rows }
  } finally {
    athena.destroy()
  }
}
