import { z } from 'zod'
import { manifests } from '../connectors/registry.ts'
import { SyncError } from '../errors.ts'

/**
 * The `worker` section of crmsync.config.json. Limits are cluster-wide: every worker on the
 * warehouse shares them, so HubSpot's request budget is shared, not multiplied by the number of
 * workers (one HubSpot stream at a time by default).
 */
// each source's own default (its manifest's `concurrency`); one that says nothing gets 1, never more
const DEFAULT_SOURCE_CONCURRENCY: Record<string, number> = Object.fromEntries(manifests().map((m) => [m.name, m.concurrency ?? 1]))

export const workerConfigSchema = z
  .object({
    /** runs at once across all workers */
    maxConcurrentRuns: z.number().int().min(1).default(8),
    /** runs at once per source across all workers */
    // a source left out keeps its default: naming one source does not lift the others' limits
    sourceConcurrency: z
      .record(z.string(), z.number().int().min(1))
      .default({})
      .transform((given) => ({ ...DEFAULT_SOURCE_CONCURRENCY, ...given })),
    /** a worker silent this long is dead: its jobs are queued again */
    deadAfterSeconds: z.number().int().min(10).default(30),
    heartbeatSeconds: z.number().int().min(1).default(5),
    /** how often the scheduler looks for due schedules */
    tickSeconds: z.number().int().min(1).default(5),
    /** how long a job waits before trying again when its source has no free slot or its stream is busy */
    retryBusySeconds: z.number().int().min(1).default(5),
  })
  .strict()

export type WorkerConfig = z.infer<typeof workerConfigSchema>

export function loadWorkerConfig(section: unknown): WorkerConfig {
  const parsed = workerConfigSchema.safeParse(section ?? {})
  if (!parsed.success) throw new SyncError('config_invalid', `crmsync.config.json worker: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)
  return parsed.data
}
