import { z } from 'zod'
import { HttpError } from '../shared/http.ts'

/**
 * Athena- and S3-specific fault knobs (`/_admin/source-faults`), beside the generic ones in
 * `emulators/shared/faults.ts`. Counts are consumed as they fire.
 */
export const sourceFaultsSchema = z
  .object({
    /** queries end FAILED with this reason (GENERIC_INTERNAL_ERROR by default) */
    failQueries: z
      .object({
        count: z.number().int().nonnegative().optional(),
        rate: z.number().min(0).max(1).optional(),
        reason: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** overrides the `queryDelayMs` option: time a query spends QUEUED + RUNNING */
    queryDelayMs: z.number().int().nonnegative().optional(),
    /** StartQueryExecution answers TooManyRequestsException (CONCURRENT_QUERY_LIMIT_EXCEEDED) */
    tooManyRequests: z.object({ count: z.number().int().nonnegative() }).strict().optional(),
    /** S3 GetObject/HeadObject answer 403 AccessDenied: clients must fall back to GetQueryResults */
    s3Unavailable: z.boolean().optional(),
    /** the next `count` S3 GETs send `bytes` bytes of the body, then the socket is destroyed */
    s3DropAfterBytes: z
      .object({ count: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() })
      .strict()
      .optional(),
  })
  .strict()

export type SourceFaults = z.infer<typeof sourceFaultsSchema>

export const DEFAULT_FAILURE_REASON = 'GENERIC_INTERNAL_ERROR: emulated query failure'

/** consumes one failQueries trigger; returns the failure reason when the query must fail */
export function takeQueryFailure(faults: SourceFaults, random: () => number): string | undefined {
  const fail = faults.failQueries
  if (!fail) return undefined
  if (fail.count !== undefined && fail.count > 0) {
    fail.count -= 1
    return fail.reason ?? DEFAULT_FAILURE_REASON
  }
  return fail.rate !== undefined && random() < fail.rate ? (fail.reason ?? DEFAULT_FAILURE_REASON) : undefined
}

/** consumes one trigger of a `{count}` knob */
export function takeCount(knob: { count: number } | undefined): boolean {
  if (!knob || knob.count <= 0) return false
  knob.count -= 1
  return true
}

type AdminRoute = (body: unknown) => Promise<unknown>

/** the current knobs and their admin routes: GET reads, POST merges, DELETE resets */
export function createSourceFaultState(): { current(): SourceFaults; routes: Record<string, AdminRoute> } {
  let faults: SourceFaults = {}
  return {
    current: () => faults,
    routes: {
      'GET /_admin/source-faults': async () => faults,
      'POST /_admin/source-faults': async (body) => {
        const parsed = sourceFaultsSchema.safeParse(body)
        if (!parsed.success) {
          throw new HttpError(400, `invalid source faults: ${z.prettifyError(parsed.error)}`)
        }
        faults = { ...faults, ...parsed.data }
        return faults
      },
      'DELETE /_admin/source-faults': async () => {
        faults = {}
        return faults
      },
    },
  }
}
