import { z } from 'zod'
import { SyncError } from '../../errors.ts'

const S3_URL = /^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/

export const salesProConfigSchema = z.object({
  accessKeyId: z.string({ error: 'SALESPRO_ACCESS_KEY_ID is not set' }).min(1, 'SALESPRO_ACCESS_KEY_ID is empty'),
  secretAccessKey: z.string({ error: 'SALESPRO_SECRET_ACCESS_KEY is not set' }).min(1, 'SALESPRO_SECRET_ACCESS_KEY is empty'),
  s3Location: z
    .string({ error: 'SALESPRO_S3_LOCATION is not set (the s3:// folder Athena writes query results to)' })
    .regex(S3_URL, 'SALESPRO_S3_LOCATION must look like s3://bucket/prefix/'),
  region: z.string().min(1).default('us-east-1'),
  /** the Glue/Athena database holding the SalesPro tables */
  database: z.string().regex(/^[A-Za-z0-9_]+$/, 'the database name may hold letters, digits and _').default('home_genius_db'),
  workgroup: z.string().min(1).default('primary'),
  athenaEndpoint: z.url().optional(),
  s3Endpoint: z.url().optional(),
  /** slowest poll of GetQueryExecution; polls wait a tenth of the time waited so far, from 50 ms up to this */
  maxPollMs: z.number().int().min(100).default(1000),
  /** a query still running after this long is stopped and the run fails */
  queryTimeoutSeconds: z.number().int().positive().default(1800),
  /** read results from the query's CSV in S3 (fast); false = always page GetQueryResults */
  readResultsFromS3: z.boolean().default(true),
})

export type SalesProConfig = z.infer<typeof salesProConfigSchema>

/**
 * The keys of `sources.salespro` in crmsync.config.json that this connector reads (beside the
 * engine's own settings); config.ts refuses any other key. Values are checked by the schema above.
 */
export const salesProFileShape = {
  database: z.string().optional(),
  workgroup: z.string().optional(),
  maxPollMs: z.number().optional(),
  queryTimeoutSeconds: z.number().optional(),
  readResultsFromS3: z.boolean().optional(),
}

const fileSectionSchema = z.object(salesProFileShape).passthrough()

/** The environment variable names are the original system's (docs/design.md §5). */
export function loadSalesProConfig(vars: Readonly<Record<string, string | undefined>>, fileSection: unknown): SalesProConfig {
  const file = fileSectionSchema.safeParse(fileSection ?? {})
  const fromFile = file.success ? file.data : {}
  const parsed = salesProConfigSchema.safeParse({
    ...fromFile,
    accessKeyId: vars.SALESPRO_ACCESS_KEY_ID,
    secretAccessKey: vars.SALESPRO_SECRET_ACCESS_KEY,
    s3Location: vars.SALESPRO_S3_LOCATION,
    region: vars.SALESPRO_SERVER_REGION || undefined,
    database: vars.SALESPRO_DATABASE || fromFile.database,
    athenaEndpoint: vars.SALESPRO_ATHENA_ENDPOINT || undefined,
    s3Endpoint: vars.SALESPRO_S3_ENDPOINT || undefined,
  })
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message).join('; ')
    throw new SyncError('config_invalid', `salespro is not configured: ${problems}`)
  }
  return parsed.data
}
