import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { EngineEvents } from '../engine/events.ts'
import type { RetryPolicy } from '../engine/run-stream.ts'
import { runSync, type SyncTarget } from '../engine/run-sync.ts'
import type { RunSummary } from '../engine/summary.ts'
import { coerceError, SyncError } from '../errors.ts'
import type { Logger } from '../log.ts'
import { redactSecrets } from '../redact.ts'
import { attachOperations } from '../ops/attach-operations.ts'
import { insertAutomationEvent } from '../warehouse/sql/automation.ts'
import { heartbeatWorker, listHeldJobIds, reapDeadWorkers, registerWorker, removeWorker, type WorkerJob } from '../warehouse/sql/workers.ts'
import type { Warehouse } from '../warehouse/types.ts'
import type { WorkerConfig } from './config.ts'
import { openQueue, type JobQueue, type SyncJob } from './queue.ts'
import { fireDueSchedules } from './scheduler.ts'
import { loadCheckedTarget } from './checked-target.ts'
import { releaseSlots, takeSlot } from './slots.ts'

export interface WorkerDeps {
  warehouse: Warehouse
  databaseUrl: string
  log: Logger
  events: EngineEvents
  retry: RetryPolicy
  loadTarget(source: string, streams?: string[]): Promise<SyncTarget>
  streamsOf(source: string): Promise<string[]>
  config: WorkerConfig
  concurrency: number
  /** a graceful stop: runs commit the page in hand, their jobs go back to the queue, the worker leaves */
  signal: AbortSignal
}

export interface RunningWorker {
  id: string
  /** resolves once the worker has drained and left */
  done: Promise<void>
}

/**
 * A worker: takes sync jobs from the queue (any number of workers, on any machines that reach
 * the warehouse), runs each within the cluster-wide limits, ticks the schedules, and watches its
 * peers — a worker whose heartbeat stops has its jobs queued again, and the stream resumes from
 * its last committed page when another worker takes it (the dead process's lock went with it).
 */
export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  const { warehouse, log, config } = deps
  const id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`
  const workerLog = log.child({ worker: id })
  const queue = await openQueue(deps.databaseUrl, workerLog)
  const ops = await attachOperations({ warehouse, events: deps.events, log: workerLog, retry: deps.retry })
  const held = new Map<string, WorkerJob>()
  const inFlight = new Set<Promise<unknown>>()
  let stopping = false
  await registerWorker(warehouse, { id, host: hostname(), pid: process.pid, concurrency: deps.concurrency })

  const offRunStart = deps.events.on('run:start', (e) => {
    for (const job of held.values()) if (job.source === e.source && job.stream === e.stream) job.runId = e.runId
  })
  const beat = () => heartbeatWorker(warehouse, id, [...held.values()], stopping).catch((error) => workerLog.warn({ err: error }, 'worker heartbeat failed'))
  const timers = [
    setInterval(beat, config.heartbeatSeconds * 1000),
    setInterval(() => void reap(queue), Math.max(5, config.deadAfterSeconds / 2) * 1000),
    setInterval(() => void tick(), config.tickSeconds * 1000),
  ]

  async function tick() {
    if (stopping) return
    await fireDueSchedules({ warehouse, log: workerLog, streamsOf: deps.streamsOf, enqueue: (job) => queue.send(job) }).catch((error) =>
      workerLog.warn({ err: error }, 'scheduler tick failed; the next tick tries again'),
    )
  }

  async function reap(q: JobQueue) {
    try {
      for (const dead of await reapDeadWorkers(warehouse, config.deadAfterSeconds)) {
        for (const job of dead.jobs) {
          await q.abandon(job.jobId).catch(() => {})
          await q.send({ source: job.source, stream: job.stream, mode: 'incremental', trigger: 'requeue' })
          await insertAutomationEvent(warehouse, {
            source: job.source,
            stream: job.stream,
            runId: job.runId ?? null,
            action: 'requeue_job',
            reason: `worker ${dead.id} stopped sending heartbeats`,
            outcome: 'queued again; the stream resumes from its last committed page',
          })
          workerLog.warn({ deadWorker: dead.id, source: job.source, stream: job.stream }, `worker ${dead.id} died; its job ${job.source}.${job.stream} was queued again`)
        }
      }
      // a job a worker had taken but not yet reported when it died is in no worker's row: found
      // as active for longer than a live worker takes to report it, and held by none
      const reported = new Set(await listHeldJobIds(warehouse))
      for (const orphan of await q.activeJobs(config.deadAfterSeconds)) {
        // only the reaper that fails the job queues it again, so two reapers add one follow-up
        if (reported.has(orphan.id) || !(await q.abandon(orphan.id))) continue
        const { source, stream } = orphan.job
        await q.send({ ...orphan.job, trigger: 'requeue' })
        await insertAutomationEvent(warehouse, {
          source,
          stream,
          runId: null,
          action: 'requeue_job',
          reason: `job ${orphan.id} was taken more than ${config.deadAfterSeconds} s ago and no live worker holds it`,
          outcome: 'queued again; the stream resumes from its last committed page',
        })
        workerLog.warn({ jobId: orphan.id, source, stream }, `job ${source}.${stream} was taken by a worker that is gone; queued again`)
      }
      await ops.heal(config.deadAfterSeconds)
    } catch (error) {
      workerLog.warn({ err: error }, 'checking for dead workers failed; the next check tries again')
    }
  }

  async function handle(job: SyncJob, jobId: string): Promise<unknown> {
    // reported before anything else: a taken job that no worker reports is requeued as orphaned
    held.set(jobId, { jobId, source: job.source, stream: job.stream, startedAt: new Date().toISOString() })
    await beat()
    const session = await warehouse.session().catch((error) => {
      held.delete(jobId)
      throw error
    })
    const slots: string[] = []
    try {
      const global = await takeSlot(session, 'global', config.maxConcurrentRuns)
      if (global) slots.push(global)
      // a source neither a manifest nor the config gives a limit runs one at a time, not maxConcurrentRuns
      const perSource = global ? await takeSlot(session, `source:${job.source}`, config.sourceConcurrency[job.source] ?? 1) : undefined
      if (perSource) slots.push(perSource)
      if (!global || !perSource) {
        // no free slot: hand the job back for later rather than holding a worker idle
        await queue.send(job, { startAfterSeconds: config.retryBusySeconds })
        return { deferred: true }
      }
      const target = await loadCheckedTarget(deps, job, job.trigger, id)
      if (!target) return { status: 'failed', reason: 'the job could not start: see its run in the history' }
      const { runs } = await runSync([target], {
        ...ops.engine,
        flags: job.mode === 'full' ? { full: true } : {},
        signal: deps.signal,
        trigger: job.trigger,
        workerId: id,
      })
      const summary = runs[0] as RunSummary | undefined
      if (summary?.status === 'skipped' && summary.errorCode === 'busy') {
        // another run holds the stream (a CLI sync, or a dead run being marked): like a job without
        // a free slot, this one waits and tries again; completed as skipped, the run would be lost
        await queue.send(job, { startAfterSeconds: config.retryBusySeconds })
        return { deferred: true, reason: 'busy' }
      }
      if (summary?.status === 'cancelled' && stopping) {
        // this worker is leaving: another one carries on from the page just committed
        await queue.send({ ...job, trigger: 'requeue' })
      }
      return summary ? { status: summary.status, runId: summary.runId, fetched: summary.fetched, error: summary.error } : { status: 'none' }
    } catch (error) {
      const failure = coerceError(error)
      workerLog.error({ err: error, source: job.source, stream: job.stream }, `job ${job.source}.${job.stream} failed: ${failure.message}`)
      // pg-boss stores what is thrown (message and stack) in its job table: only a redacted copy goes there
      throw new SyncError(failure.code, redactSecrets(failure.message))
    } finally {
      held.delete(jobId)
      await releaseSlots(session, slots).catch(() => {})
      await session.release()
    }
  }

  await queue.work(deps.concurrency, (job, jobId) => {
    const work = handle(job, jobId)
    inFlight.add(work)
    return work.finally(() => inFlight.delete(work))
  })
  workerLog.info({ concurrency: deps.concurrency }, `worker ${id} is taking jobs`)
  void tick()

  const done = new Promise<void>((resolve) => {
    const stop = async () => {
      stopping = true
      workerLog.info('stopping: no new jobs; running syncs finish the page in hand')
      await queue.stopWorking().catch(() => {})
      await Promise.allSettled([...inFlight])
      for (const timer of timers) clearInterval(timer)
      offRunStart()
      await ops.close()
      await removeWorker(warehouse, id).catch(() => {})
      await queue.close().catch(() => {})
      workerLog.info(`worker ${id} stopped`)
      resolve()
    }
    if (deps.signal.aborted) void stop()
    else deps.signal.addEventListener('abort', () => void stop(), { once: true })
  })
  return { id, done }
}
