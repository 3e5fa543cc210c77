import { hostname } from 'node:os'
import type { EngineEvents } from '../../engine/events.ts'
import type { RunSummary } from '../../engine/summary.ts'
import type { Logger } from '../../log.ts'
import { acknowledgeAlert } from '../../warehouse/sql/alerts.ts'
import type { Warehouse } from '../../warehouse/types.ts'
import { applyEvent, applyFindings } from './apply.ts'
import type { AlertChannel } from './channels/channel.ts'
import { parseAlertsConfig, type AlertSettings, type AlertsConfigInput } from './config.ts'
import { createChannels, notify } from './deliver.ts'
import { evaluateStreams } from './evaluate.ts'
import { poolFinding, responseTimeFinding, type SlowestRequest } from './process-rules.ts'
import { schemaChangedFinding } from './schema-rules.ts'
import { toAlert, type Alert, type Finding, type FiringFinding, type Notification } from './types.ts'

export interface AttachAlertsOptions {
  warehouse: Warehouse
  /** the engine's events: run:end triggers an evaluation; `connector` requests feed response times; schema:changed raises an info alert */
  events?: EngineEvents
  log: Logger
  /** the loaded configuration (`ctx.config`): the `alerts` section, `sources`, the environment */
  config: AlertsConfigInput
  /** the source names crmsync knows (SOURCE_NAMES): a misspelt one in the alerts config is an error */
  sources?: readonly string[]
  /** evaluate every rule on this period (ms), as `serve` and `worker` do; `true` = the config's (60 s) */
  timer?: boolean | number
  /** channels to use instead of the configured ones (tests) */
  channels?: AlertChannel[]
}

export interface AlertSystem {
  readonly settings: AlertSettings
  /** judges every rule now, for every stream with state and this process's pool */
  evaluate(): Promise<void>
  /** starts the periodic evaluation (`serve`, `worker`); the config's period by default */
  startTimer(ms?: number): void
  /** acknowledges an unresolved alert (no more reminders; it still resolves); undefined if there is none */
  acknowledge(id: number, by: string): Promise<Alert | undefined>
  /** resolves once every evaluation and delivery started so far has finished */
  idle(): Promise<void>
  /** stops the timer and the subscriptions, then waits for in-flight deliveries */
  close(): Promise<void>
}

/**
 * The alert system, attached to an engine's events. It only listens (docs/design.md §1): after each
 * run it judges that stream's rules, and a timer judges them all. Everything it starts runs
 * detached from the event — a slow webhook or a dead SMTP server never holds up or fails a sync —
 * and is tracked so `close()` can wait for it before the warehouse closes.
 * Throws SyncError('config_invalid') naming every problem of the `alerts` section.
 */
export function attachAlerts(options: AttachAlertsOptions): AlertSystem {
  const { warehouse, log } = options
  const settings = parseAlertsConfig(options.config, options.sources)
  const channels = options.channels ?? createChannels(settings, log)
  const owner = `${hostname()}/${process.pid}`
  const inflight = new Set<Promise<unknown>>()
  const slowest = new Map<string, SlowestRequest>()
  const unsubscribe: (() => void)[] = []
  let timer: NodeJS.Timeout | undefined
  let ticking = false

  /** runs work detached from its caller; its failure is logged here, never thrown into a sync */
  const track = (work: Promise<unknown>, what: string) => {
    const tracked = work
      .catch((error) => log.warn({ err: error }, `${what} failed: ${(error as Error).message}`))
      .finally(() => inflight.delete(tracked))
    inflight.add(tracked)
  }

  const send = (notifications: Notification[]) => {
    for (const n of notifications) track(notify(warehouse, channels, n, settings.delivery, log), `notifying alert ${n.alert.id}`)
  }

  /** stores the findings, then sends the notifications in the background */
  const apply = async (findings: Finding[]) => send(await applyFindings(warehouse, findings, settings.cooldownMs))

  /**
   * Stores an event's alert (superseding the stream's last one of its rule, in one transaction),
   * then notifies. One after the other, in the order the engine told them: two changes of one run
   * applied at once would both find no alert to supersede, and the second would overwrite the first.
   */
  let news: Promise<unknown> = Promise.resolve()
  const applyNews = (finding: FiringFinding) => {
    const next = news.catch(() => {}).then(async () => {
      const session = await warehouse.session()
      try {
        send(await session.transaction((tx) => applyEvent(tx, finding)))
      } finally {
        await session.release()
      }
    })
    news = next
    return next
  }

  const pool = () => poolFinding(settings, warehouse.kind, warehouse.poolStats(), owner)

  const afterRun = async (summary: Pick<RunSummary, 'source' | 'stream'>, slow: SlowestRequest | undefined) => {
    const { source, stream } = summary
    const findings = await evaluateStreams(warehouse, settings, { source, stream })
    for (const f of [responseTimeFinding(settings, source, stream, slow), pool()]) if (f) findings.push(f)
    await apply(findings)
  }

  const evaluate = async () => {
    const poolNow = pool()
    const findings = await evaluateStreams(warehouse, settings)
    if (poolNow) findings.push(poolNow)
    await apply(findings)
  }

  if (settings.enabled && options.events) {
    const events = options.events
    unsubscribe.push(
      events.on('run:start', (e) => void slowest.delete(`${e.source}.${e.stream}`)),
      events.on('connector', (e) => {
        // source-wide calls (listing streams) belong to no run; only a run's own calls are judged
        if (e.type !== 'request' || e.stream === '*') return
        const key = `${e.source}.${e.stream}`
        const seen = slowest.get(key)
        if (!seen) slowest.set(key, { ms: e.ms, operation: e.operation, requests: 1 })
        else {
          seen.requests++
          if (e.ms > seen.ms) Object.assign(seen, { ms: e.ms, operation: e.operation })
        }
      }),
      // a table that changed shape is news for whoever reads it: an info alert per change, as it commits
      events.on('schema:changed', (e) => {
        const finding = schemaChangedFinding(settings, e)
        if (finding) track(applyNews(finding), `the schema change alert of ${e.source}.${e.stream} (run ${e.runId})`)
      }),
      // a run found dead by a sweep has no run:end: judge its stream now
      events.on('run:abandoned', (e) => track(afterRun({ source: e.source, stream: e.stream }, undefined), `alert evaluation after run ${e.runId} died`)),
      events.on('run:end', ({ summary }) => {
        const key = `${summary.source}.${summary.stream}`
        const slow = slowest.get(key)
        slowest.delete(key)
        // a skipped run (busy, circuit open) and a dry run left no history to judge
        if (summary.status === 'skipped' || summary.runId === null || summary.dryRun) return
        track(afterRun(summary, slow), `alert evaluation after the run of ${key}`)
      }),
    )
  }

  const system: AlertSystem = {
    settings,
    evaluate: () => (settings.enabled ? evaluate() : Promise.resolve()),
    startTimer(ms = settings.evaluateEveryMs) {
      if (timer || !settings.enabled) return
      timer = setInterval(() => {
        // a slow warehouse must not pile evaluations up
        if (ticking) return
        ticking = true
        track(
          evaluate().finally(() => (ticking = false)),
          'periodic alert evaluation',
        )
      }, ms)
      timer.unref()
    },
    acknowledge: async (id, by) => {
      const row = await acknowledgeAlert(warehouse, id, by)
      return row ? toAlert(row) : undefined
    },
    async idle() {
      while (inflight.size) await Promise.allSettled([...inflight])
    },
    async close() {
      clearInterval(timer)
      timer = undefined
      for (const off of unsubscribe.splice(0)) off()
      await system.idle()
    },
  }
  if (options.timer) system.startTimer(options.timer === true ? undefined : options.timer)
  return system
}
