import type { EngineEvents } from '../engine/events.ts'
import type { RetryPolicy } from '../engine/run-stream.ts'
import type { SyncOptions } from '../engine/run-sync.ts'
import type { Logger } from '../log.ts'
import type { Warehouse } from '../warehouse/types.ts'
import type { AlertsConfigInput } from './alerts/config.ts'
import { attachAutomation, type Automation } from './automation/automation.ts'

/**
 * What a composition root (a CLI command, the server, a worker) attaches to the engine's events of
 * its process, in one call: the automation engine (circuit breakers and their gate, the dead-run
 * sweep), the alert rules, and the Prometheus metrics at /metrics. Each one only listens
 * (docs/design.md §1); none of them drives the engine. The root then runs the engine itself,
 * spreading `engine` into `runSync`'s options so every run of the process is composed the same way.
 */
export interface OperationsOptions {
  warehouse: Warehouse
  events: EngineEvents
  log: Logger
  /** the automation engine's retry rules, handed on to the engine with `engine` */
  retry?: RetryPolicy
  /** the automation engine (breakers, gate, sweep) @default true */
  automation?: boolean
  /**
   * the alert rules, judged after every run of this process; `timer` also judges them all on the
   * config's period (`serve`, `worker`). Omitted: no alerts.
   */
  alerts?: { config: AlertsConfigInput; sources: readonly string[]; timer?: boolean }
  /**
   * Prometheus metrics of this process's runs at http://127.0.0.1:<port>/metrics, labelled
   * `process="<processLabel>"`; a taken port falls back to a free one (0 is always a free one)
   */
  metrics?: { port: number; processLabel: string }
}

export interface Operations {
  /** the gate the engine asks before each stream: an open breaker's reason, else undefined */
  gate: NonNullable<SyncOptions['gate']>
  /** the dead-run sweep (marks runs whose process died) */
  heal: Automation['heal']
  /** what every `runSync` of this process is composed with: spread it into the options */
  engine: Pick<SyncOptions, 'warehouse' | 'events' | 'log' | 'retry' | 'gate'>
  /** the /metrics URL, when metrics are served */
  metricsUrl?: string
  /** stops the alerts (awaiting their deliveries), the metrics listener, then the automation */
  close(): Promise<void>
}

const noAutomation: Pick<Automation, 'gate' | 'heal' | 'close'> = {
  gate: async () => undefined,
  heal: async () => [],
  close: async () => {},
}

export async function attachOperations(options: OperationsOptions): Promise<Operations> {
  const { warehouse, events, log } = options
  const automation = options.automation === false ? noAutomation : attachAutomation({ warehouse, events, log })
  const closers: (() => Promise<void>)[] = [() => automation.close()]
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer()
  }
  let metricsUrl: string | undefined
  try {
    if (options.metrics) {
      const { createMetrics } = await import('./metrics/create-metrics.ts')
      const { listenForScrapes } = await import('./metrics/metrics-http.ts')
      const { port, processLabel } = options.metrics
      const metrics = createMetrics({ events, warehouse, processLabel, log })
      closers.push(async () => metrics.close())
      const listener = await listenForScrapes({ metrics, port, log }).catch(async (error) => {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error
        return listenForScrapes({ metrics, port: 0, log })
      })
      closers.push(() => listener.close())
      metricsUrl = listener.url
      log.info({ url: listener.url }, `metrics at ${listener.url}`)
    }
    if (options.alerts) {
      // loaded only when asked for: the alert channels pull in mail and HTTP clients
      const { attachAlerts } = await import('./alerts/index.ts')
      const { config, sources, timer } = options.alerts
      const alerts = attachAlerts({ warehouse, events, log, config, sources, timer })
      closers.push(() => alerts.close())
    }
  } catch (error) {
    await close().catch(() => {})
    throw error
  }
  return {
    gate: automation.gate,
    heal: automation.heal,
    engine: { warehouse, events, log, retry: options.retry, gate: automation.gate },
    metricsUrl,
    close,
  }
}
