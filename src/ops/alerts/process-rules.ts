import type { PoolStats } from '../../warehouse/types.ts'
import type { AlertSettings } from './config.ts'
import { ruleFor } from './rule-settings.ts'
import type { Finding } from './types.ts'

/**
 * The rules judged from what this process saw, not from the warehouse: they work only in the
 * process that ran the sync (response times) or owns the pool.
 */

/** The slowest source call of one run, kept in memory from `connector` request events. */
export interface SlowestRequest {
  ms: number
  operation: string
  requests: number
}

/**
 * sync_response_time: the slowest source response of the run that just ended — any `connector`
 * `{type: 'request', ms}` event of its stream (SalesPro's `athena:query` covers a query from start
 * to finish) — against the source's threshold (30 s; SalesPro 60 s). Fires at or over it. Judged
 * at run:end in the process that ran the sync; a run that made no request leaves the alert alone.
 */
export function responseTimeFinding(
  settings: AlertSettings,
  source: string,
  stream: string,
  slowest: SlowestRequest | undefined,
): Finding | undefined {
  const rule = 'sync_response_time'
  const on = ruleFor(settings, rule, source)
  if (!on) return { firing: false, rule, source, stream }
  if (!slowest) return undefined
  const seconds = slowest.ms / 1000
  if (seconds < on.threshold) return { firing: false, rule, source, stream }
  const s = Number(seconds.toFixed(1))
  return {
    firing: true,
    rule,
    source,
    stream,
    severity: on.severity,
    title: `${source}.${stream}: a ${source} response took ${s} s`,
    message:
      `The slowest of ${slowest.requests} ${source} calls in the last run of ${source}.${stream} ` +
      `(${slowest.operation}) took ${s} s, over the ${on.threshold} s threshold. ` +
      `The source is slow or throttling us; the sync still finished if nothing else failed. If it persists, check the source's status ` +
      `or raise \`alerts.rules.sync_response_time.sources.${source}.threshold\` if this is its normal pace.`,
    value: seconds,
    threshold: on.threshold,
    details: { operation: slowest.operation, ms: Math.round(slowest.ms), requests: slowest.requests },
  }
}

/**
 * pool_exhaustion: connections in use ÷ the pool's max at or over the threshold (0.9, the
 * original's connection_pool_utilization), or any caller waiting for a connection. The pool is
 * this process's, so the alert is owned by it: another process's healthy pool does not resolve it
 * (it resolves when its owner sees the pool healthy again, or nobody has seen it for a while).
 * The embedded warehouse has one connection and no pool: not judged.
 */
export function poolFinding(settings: AlertSettings, kind: 'postgres' | 'pglite', stats: PoolStats, owner: string): Finding | undefined {
  const rule = 'pool_exhaustion'
  if (kind === 'pglite') return undefined
  const on = ruleFor(settings, rule, null)
  const ratio = stats.max > 0 ? stats.inUse / stats.max : 0
  if (!on || (ratio < on.threshold && stats.waiting === 0)) return { firing: false, rule, source: null, stream: null, owner }
  return {
    firing: true,
    rule,
    source: null,
    stream: null,
    severity: on.severity,
    title: `warehouse pool: ${stats.inUse} of ${stats.max} connections in use${stats.waiting ? `, ${stats.waiting} waiting` : ''}`,
    message:
      `The warehouse connection pool of ${owner} is near exhaustion: ${stats.inUse} of ${stats.max} connections in use ` +
      `(${Math.round(ratio * 100)}%, threshold ${Math.round(on.threshold * 100)}%) and ${stats.waiting} callers waiting. ` +
      `Raise \`warehouse.poolSize\` (or CRMSYNC_POOL_SIZE), or run fewer streams at once (\`--concurrency\`).`,
    value: ratio,
    threshold: on.threshold,
    details: { ...stats, owner },
  }
}
