import { hostname } from 'node:os'
import type { EngineEvents } from '../../engine/events.ts'
import type { Logger } from '../../log.ts'
import { insertAutomationEvent, lockBreaker, saveBreaker, type AutomationEvent, type DbBreaker } from '../../warehouse/sql/automation.ts'
import { listStaleRuns, markRunAbandonedIfUnheld } from '../../warehouse/sql/runs.ts'
import type { Warehouse } from '../../warehouse/types.ts'
import { admit, DEFAULT_BREAKER_POLICY, recordFailure, recordSuccess, SOURCE_FAILURE_CODES, type Breaker, type BreakerPolicy } from './circuit-breaker.ts'

export interface Automation {
  /** the engine's gate: a reason to refuse the run when the source's breaker is open, else undefined */
  gate(source: string, stream: string): Promise<string | undefined>
  /** self-healing: marks runs whose process died (stale heartbeat, free lock); returns the streams to resume */
  heal(staleSeconds?: number): Promise<{ source: string; stream: string; runId: number; status: string }[]>
  /** waits for the breaker updates and events still being written */
  close(): Promise<void>
}

const toBreaker = (row: DbBreaker): Breaker => ({
  state: row.state,
  failures: row.failures.map((d) => new Date(d).getTime()),
  successes: row.successes,
  openedAt: row.opened_at ? new Date(row.opened_at).getTime() : null,
})

const toRow = (source: string, b: Breaker) => ({
  source,
  state: b.state,
  failures: b.failures.map((t) => new Date(t)),
  successes: b.successes,
  opened_at: b.openedAt === null ? null : new Date(b.openedAt),
})

/**
 * The automation engine: it listens to the engine (it never drives it), keeps each source's
 * circuit breaker, hands the engine a gate that refuses runs while a breaker is open, marks dead
 * runs, and writes every action it takes to crmsync.automation_events with why and how it went.
 */
export function attachAutomation(options: { warehouse: Warehouse; events: EngineEvents; log: Logger; policy?: BreakerPolicy; now?: () => number }): Automation {
  const { warehouse, events, log } = options
  const policy = options.policy ?? DEFAULT_BREAKER_POLICY
  const now = options.now ?? Date.now
  // updates are chained so a gate check sees every outcome recorded before it
  let pending: Promise<unknown> = Promise.resolve()
  const enqueue = (work: () => Promise<unknown>) => {
    pending = pending.then(work).catch((error) => log.warn({ err: error }, 'the automation engine could not record an action; syncs are not affected'))
    return pending
  }
  const record = (event: AutomationEvent) => insertAutomationEvent(warehouse, event)

  const update = (source: string, change: (b: Breaker, at: number) => Breaker, runId: number | null) =>
    enqueue(async () => {
      const session = await warehouse.session()
      try {
        await session.transaction(async (tx) => {
          const before = toBreaker(await lockBreaker(tx, source))
          const after = change(before, now())
          await saveBreaker(tx, toRow(source, after))
          if (before.state !== after.state) {
            const opened = after.state === 'open'
            const reason = opened
              ? `${after.failures.length} failed runs within ${policy.windowSeconds} s${before.state === 'half_open' ? ' (the half-open probe failed)' : ''}`
              : `${policy.successThreshold} successful runs while half-open`
            const outcome = opened ? `runs of ${source} are refused for ${policy.openSeconds} s, then one probe is let through` : `${source} runs normally again`
            log[opened ? 'warn' : 'info']({ source, state: after.state }, `circuit breaker of ${source} is now ${after.state}: ${reason}`)
            await insertAutomationEvent(tx, { source, runId, action: opened ? 'open_circuit' : 'close_circuit', reason, outcome })
          }
        })
      } finally {
        await session.release()
      }
    })

  const offs = [
    events.on('run:end', ({ summary }) => {
      if (summary.status === 'skipped' || summary.dryRun) return
      if (summary.status === 'failed' && SOURCE_FAILURE_CODES.has(summary.errorCode ?? '')) update(summary.source, (b, at) => recordFailure(b, at, policy), summary.runId)
      else if (summary.status === 'succeeded' || summary.status === 'partial') update(summary.source, (b, at) => recordSuccess(b, at, policy), summary.runId)
    }),
    events.on('run:retry', (e) =>
      enqueue(() =>
        record({
          source: e.source,
          stream: e.stream,
          runId: e.runId,
          action: 'retry',
          reason: `${e.code}: ${e.error}`,
          outcome: `attempt ${e.attempt} in ${Math.round(e.waitMs / 1000)} s, from the last committed page`,
        }),
      ),
    ),
    events.on('run:abandoned', (e) =>
      enqueue(() =>
        record({
          source: e.source,
          stream: e.stream,
          runId: e.runId,
          action: 'mark_dead',
          reason: 'the run stopped without finishing: its process is gone (no lock held, heartbeat stale)',
          outcome: 'marked failed; the stream resumes from its last committed page',
        }),
      ),
    ),
  ]

  return {
    async gate(source, stream) {
      await pending
      const session = await warehouse.session()
      try {
        return await session.transaction(async (tx) => {
          const breaker = toBreaker(await lockBreaker(tx, source))
          const admission = admit(breaker, now(), policy)
          if (admission.breaker !== breaker) {
            await saveBreaker(tx, toRow(source, admission.breaker))
            await insertAutomationEvent(tx, { source, stream, action: 'half_open_circuit', reason: `${policy.openSeconds} s have passed since the breaker opened`, outcome: `a probe run of ${source}.${stream} is let through` })
          }
          if (admission.allow) return undefined
          const at = new Date(admission.retryAt as number).toISOString()
          const reason = `the circuit breaker of ${source} is open (${policy.failureThreshold} failed runs within ${policy.windowSeconds} s); runs are refused until ${at}, when one probe is let through`
          await insertAutomationEvent(tx, { source, stream, action: 'refuse_run', reason: 'circuit breaker open', outcome: `${source}.${stream} not run; next probe at ${at}` })
          return reason
        })
      } finally {
        await session.release()
      }
    },
    async heal(staleSeconds = 60) {
      const healed: { source: string; stream: string; runId: number; status: string }[] = []
      for (const run of await listStaleRuns(warehouse, staleSeconds)) {
        // this process's own runs are alive by definition (PGlite's one connection cannot tell by lock)
        if (run.pid === process.pid && run.host === hostname()) continue
        // a live process holds the stream's lock: its heartbeat is late, not stopped. The lock is
        // looked at, never taken: taking it turned away a run of the stream starting just then
        const dead = await markRunAbandonedIfUnheld(warehouse, run.id, staleSeconds)
        if (!dead) continue
        healed.push({ source: dead.source, stream: dead.stream, runId: dead.id, status: dead.status })
        if (dead.status === 'cancelled') {
          log.info({ source: dead.source, stream: dead.stream, runId: dead.id }, `run ${dead.id} was asked to stop and its process is gone; marked cancelled`)
          continue
        }
        log.warn({ source: dead.source, stream: dead.stream, runId: dead.id }, `run ${dead.id} died; marked failed, its stream resumes from its last committed page`)
        // the automation event, the alert and the metric follow from the engine's event, as for a run a sync finds dead
        events.emit('run:abandoned', { runId: dead.id, source: dead.source, stream: dead.stream })
      }
      return healed
    },
    async close() {
      for (const off of offs) off()
      await pending
    },
  }
}
