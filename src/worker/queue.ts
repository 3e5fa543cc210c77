import PgBoss from 'pg-boss'
import { z } from 'zod'
import { LAUNCH_MODES } from '../engine/strategy.ts'
import type { Logger } from '../log.ts'

/**
 * The job queue: pg-boss on the warehouse's own PostgreSQL, in its own schema. One job per stream
 * run; the queue's `stately` policy keeps at most one queued and one active job per
 * `source.stream` cluster-wide, so a schedule firing again while a stream still runs adds one
 * follow-up run, not a pile.
 */
export const SYNC_QUEUE = 'crmsync-sync'
export const QUEUE_SCHEMA = 'crmsync_queue'

export const syncJobSchema = z.object({
  source: z.string(),
  stream: z.string(),
  mode: z.enum(LAUNCH_MODES).default('incremental'),
  trigger: z.string().default('queue'),
  scheduleId: z.number().optional(),
  /** when the job was asked for, to measure queueing latency */
  enqueuedAt: z.string().optional(),
})
export type SyncJob = z.infer<typeof syncJobSchema>

export interface JobQueue {
  send(job: SyncJob, options?: { startAfterSeconds?: number }): Promise<string | null>
  work(concurrency: number, handler: (job: SyncJob, id: string) => Promise<unknown>): Promise<void>
  /** marks a dead worker's job failed so its stream can be queued again; false when it was no longer active or queued */
  abandon(jobId: string): Promise<boolean>
  /** jobs taken (active) more than `seconds` ago, whoever took them */
  activeJobs(seconds: number): Promise<{ id: string; job: SyncJob }[]>
  stopWorking(): Promise<void>
  close(): Promise<void>
}

export async function openQueue(connectionString: string, log: Logger, options: { pollingIntervalSeconds?: number } = {}): Promise<JobQueue> {
  const boss = new PgBoss({
    connectionString,
    schema: QUEUE_SCHEMA,
    application_name: 'crmsync-queue',
    max: 4,
    // crmsync schedules its own syncs (crmsync.schedules shows them with their next run)
    schedule: false,
  })
  boss.on('error', (error) => log.warn({ err: error }, 'job queue error (pg-boss); it retries on its own'))
  await boss.start()
  await boss.createQueue(SYNC_QUEUE, {
    name: SYNC_QUEUE,
    policy: 'stately',
    // a failed sync is retried by its schedule with backoff, and a dead worker's job is requeued
    // explicitly, so pg-boss itself never repeats a job
    retryLimit: 0,
    // a backstop only: dead workers are found by their heartbeat within seconds
    expireInHours: 6,
  }).catch(async (error) => {
    if (!(await boss.getQueue(SYNC_QUEUE))) throw error
  })
  const workIds: string[] = []
  return {
    send: (job, opts = {}) =>
      boss.send(SYNC_QUEUE, { ...job, enqueuedAt: job.enqueuedAt ?? new Date().toISOString() }, {
        singletonKey: `${job.source}.${job.stream}`,
        startAfter: opts.startAfterSeconds,
      }),
    async work(concurrency, handler) {
      for (let i = 0; i < concurrency; i++) {
        workIds.push(
          await boss.work<SyncJob>(SYNC_QUEUE, { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 }, async ([job]) =>
            handler(syncJobSchema.parse(job.data), job.id),
          ),
        )
      }
    },
    async abandon(jobId) {
      // pg-boss answers how many jobs it failed (its types say void)
      const result = (await boss.fail(SYNC_QUEUE, jobId, { reason: 'the worker running this job died' })) as unknown as { affected?: number } | undefined
      return (result?.affected ?? 0) > 0
    },
    async activeJobs(seconds) {
      // pg-boss has no listing call; its job table is read directly (pg-boss 10's layout)
      const { rows } = await boss.getDb().executeSql(
        `SELECT id, data FROM ${QUEUE_SCHEMA}.job WHERE name = $1 AND state = 'active' AND started_on < now() - make_interval(secs => $2)`,
        [SYNC_QUEUE, seconds],
      )
      return rows.map((row: { id: string; data: unknown }) => ({ id: row.id, job: syncJobSchema.parse(row.data) }))
    },
    async stopWorking() {
      await boss.offWork(SYNC_QUEUE)
    },
    close: () => boss.stop({ graceful: false, close: true, wait: true }),
  }
}
