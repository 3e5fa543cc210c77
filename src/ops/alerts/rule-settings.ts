import { MANIFESTS } from '../../connectors/registry.ts'
import type { AlertSettings } from './config.ts'
import type { AlertRule, Severity } from './types.ts'

interface RuleDefault {
  threshold: number
  severity: Severity
  /**
   * the rule is on only for the sources whose manifest turns it on (`alerts.<rule>.enabled`),
   * unless the config turns it on elsewhere
   */
  offUnlessSourceAsks?: boolean
}

/**
 * Built-in thresholds: the original's ALERT_THRESHOLDS (reference/original-system.md §1.8). A
 * source's manifest may override them for itself (`alerts`): the seed's SalesPro values, say —
 * Athena queries are slower, so SalesPro gets 60 s and a batch limit.
 */
export const RULE_DEFAULTS: Readonly<Record<AlertRule, RuleDefault>> = {
  sync_success_rate: { threshold: 0.95, severity: 'error' },
  sync_response_time: { threshold: 30, severity: 'warning' },
  sync_error_rate: { threshold: 0.05, severity: 'error' },
  batch_processing_time: { threshold: 120, severity: 'warning', offUnlessSourceAsks: true },
  stale_data: { threshold: 1440, severity: 'warning' },
  consecutive_failures: { threshold: 3, severity: 'error' },
  run_abandoned: { threshold: 1, severity: 'error' },
  pool_exhaustion: { threshold: 0.9, severity: 'critical' },
  // 1 record in 100 written with a field nulled is a column that no longer fits its source
  coerced_share: { threshold: 0.01, severity: 'warning' },
  // hours a schema change's alert stays open after the stream's last change: news, not a problem
  schema_changed: { threshold: 24, severity: 'info' },
}

/** The window of the rate rules unless `windowHours` says otherwise. */
export const DEFAULT_WINDOW_HOURS = 24

/**
 * `sources.<name>.expectedIntervalMinutes` is how often a source is expected to sync; src/config.ts
 * documents a stream with no success in twice that as stale. The slack keeps a stream syncing on
 * schedule from flapping stale/fresh each time one run takes a little longer than the last.
 */
export const STALE_INTERVALS = 2

export interface EffectiveRule {
  threshold: number
  severity: Severity
}

/**
 * A rule's threshold and severity for one source, or undefined when it is off there. Most specific
 * wins: `rules.<rule>.sources.<source>`, then (stale_data) the source's expected interval, then
 * `rules.<rule>`, then the source manifest's value, then the built-in default.
 */
export function ruleFor(settings: AlertSettings, rule: AlertRule, source: string | null): EffectiveRule | undefined {
  const defaults = RULE_DEFAULTS[rule]
  const rc = settings.rules[rule] ?? {}
  const sc = (source !== null && rc.sources?.[source]) || {}
  const builtIn = source !== null ? MANIFESTS[source]?.alerts?.[rule] : undefined
  if (rc.enabled === false && sc.enabled !== true) return undefined
  if (sc.enabled === false) return undefined
  if (source !== null && (builtIn?.enabled ?? !defaults.offUnlessSourceAsks) === false) {
    const turnedOn = sc.enabled === true || sc.threshold !== undefined || rc.threshold !== undefined || rc.enabled === true
    if (!turnedOn) return undefined
  }
  if (rule === 'stale_data' && source !== null && settings.sources[source]?.enabled === false) return undefined
  const interval = rule === 'stale_data' && source !== null ? settings.sources[source]?.expectedIntervalMinutes : undefined
  const threshold =
    sc.threshold ??
    (interval !== undefined ? interval * STALE_INTERVALS : undefined) ??
    rc.threshold ??
    builtIn?.threshold ??
    defaults.threshold
  return { threshold, severity: sc.severity ?? rc.severity ?? defaults.severity }
}

/** The rules judged over a window of runs (`windowHours`). */
export type WindowedRule = 'sync_success_rate' | 'sync_error_rate' | 'coerced_share'

export const windowHours = (settings: AlertSettings, rule: WindowedRule) =>
  settings.rules[rule]?.windowHours ?? DEFAULT_WINDOW_HOURS
