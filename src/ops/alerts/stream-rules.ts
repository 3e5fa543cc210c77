import type { DbFailureStreak, DbFreshness, DbRecordCounts, DbRunOutcomes, DbSlowestPage } from '../../warehouse/sql/alerts.ts'
import type { AlertSettings } from './config.ts'
import { ruleFor, windowHours } from './rule-settings.ts'
import type { AlertRule, Finding } from './types.ts'

/**
 * The rules judged from the run history in the warehouse, one stream at a time. Each returns a
 * firing finding, a clear one (its alert resolves), or undefined when there is nothing to judge
 * (its alert, if any, is left as it is). Every process can judge these, so they run after each
 * run and on the timer.
 */
const clear = (rule: AlertRule, source: string, stream: string): Finding => ({ firing: false, rule, source, stream })

const pct = (x: number) => `${Number((x * 100).toFixed(1))}%`
const secs = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`
const duration = (minutes: number) =>
  minutes < 120 ? `${Math.round(minutes)} min` : minutes < 72 * 60 ? `${Number((minutes / 60).toFixed(1))} h` : `${Math.round(minutes / 1440)} days`
/** an error message as a sentence, so the advice after it reads right */
const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`)
const history = (source: string, stream: string) => `crmsync history --source ${source} --stream ${stream}`

/**
 * sync_success_rate: succeeded ÷ finished runs (succeeded + partial + failed; cancelled and
 * running runs are not counted, and a skipped run — the stream was busy — has no row at all)
 * among the runs started in the window (24 h by default). Fires when below the threshold (0.95):
 * one failed run of a stream with no success in the window is 0, and fires. No finished run in
 * the window is nothing wrong inside it: the alert resolves (stale_data and
 * consecutive_failures still speak for a stream that stopped running).
 */
export function successRateFinding(settings: AlertSettings, row: DbRunOutcomes): Finding {
  const rule = 'sync_success_rate'
  const on = ruleFor(settings, rule, row.source)
  if (!on || row.finished === 0) return clear(rule, row.source, row.stream)
  const rate = row.succeeded / row.finished
  if (rate >= on.threshold) return clear(rule, row.source, row.stream)
  const hours = windowHours(settings, rule)
  const name = `${row.source}.${row.stream}`
  const lastError = row.last_error ? ` The last failure (run ${row.last_failed_run_id}): ${sentence(row.last_error)}` : ''
  return {
    firing: true,
    rule,
    source: row.source,
    stream: row.stream,
    severity: on.severity,
    title: `${name}: ${row.succeeded} of ${row.finished} runs succeeded in the last ${hours} h`,
    message:
      `The success rate of ${name} over the last ${hours} h is ${pct(rate)}, below the ${pct(on.threshold)} ` +
      `threshold (${row.succeeded} succeeded, ${row.partial} partial, ${row.failed} failed).${lastError} ` +
      `See \`${history(row.source, row.stream)}\`; once the cause is fixed, ` +
      `\`crmsync sync ${row.source} ${row.stream}\` carries on from the last committed page.`,
    value: rate,
    threshold: on.threshold,
    details: {
      windowHours: hours,
      finished: row.finished,
      succeeded: row.succeeded,
      partial: row.partial,
      failed: row.failed,
      lastFailedRunId: row.last_failed_run_id,
      lastError: row.last_error,
    },
  }
}

/** A rule that fires when `count` of a stream's fetched records in the window reach the threshold's share. */
function shareFinding(
  settings: AlertSettings,
  row: DbRecordCounts,
  rule: 'sync_error_rate' | 'coerced_share',
  count: number,
  words: (name: string, hours: number, share: string, threshold: string) => { title: string; message: string },
): Finding {
  const on = ruleFor(settings, rule, row.source)
  if (!on || row.fetched === 0) return clear(rule, row.source, row.stream)
  const share = count / row.fetched
  if (share < on.threshold) return clear(rule, row.source, row.stream)
  const hours = windowHours(settings, rule)
  const { title, message } = words(`${row.source}.${row.stream}`, hours, pct(share), pct(on.threshold))
  const counted = rule === 'sync_error_rate' ? { rejected: count } : { coerced: count }
  return {
    firing: true,
    rule,
    source: row.source,
    stream: row.stream,
    severity: on.severity,
    title,
    message,
    value: share,
    threshold: on.threshold,
    details: { windowHours: hours, fetched: row.fetched, ...counted, runs: row.runs },
  }
}

/**
 * sync_error_rate: rejected ÷ fetched records of the runs started in the window (24 h by default;
 * every finished run, a failed one's committed pages included). Fires at or over the threshold
 * (0.05). Nothing fetched does not fire.
 */
export const errorRateFinding = (settings: AlertSettings, row: DbRecordCounts): Finding =>
  shareFinding(settings, row, 'sync_error_rate', row.rejected, (name, hours, share, threshold) => ({
    title: `${name}: ${share} of records rejected in the last ${hours} h`,
    message:
      `${row.rejected} of the ${row.fetched} records ${name} fetched in the last ${hours} h were rejected ` +
      `(${share}, threshold ${threshold}): they are not in the warehouse. Each is in crmsync.rejects ` +
      `with its reason; \`${history(row.source, row.stream)}\` and \`crmsync history --run ID\` show them. ` +
      `A source that changed a field's format usually needs the stream's record schema updated.`,
  }))

/**
 * coerced_share: records written with a field nulled (it did not fit its column, docs/design.md
 * §3.11) ÷ fetched records of the runs started in the window (24 h by default; every finished run).
 * Fires at or over the threshold (0.01). Nothing is lost — the value is in `_raw` — but the column
 * reads NULL where the source has a value, so someone must pin the column's type or fix the source.
 */
export const coercedShareFinding = (settings: AlertSettings, row: DbRecordCounts): Finding =>
  shareFinding(settings, row, 'coerced_share', row.coerced, (name, hours, share, threshold) => ({
    title: `${name}: ${share} of records stored with a field nulled in the last ${hours} h`,
    message:
      `${row.coerced} of the ${row.fetched} records ${name} fetched in the last ${hours} h were stored with a field ` +
      `NULL because its value did not fit the column (${share}, threshold ${threshold}). The values are ` +
      `kept in each row's _raw, and its _meta says which field and why: ` +
      `\`crmsync sql "SELECT _meta FROM ${name} WHERE _meta IS NOT NULL LIMIT 20"\`. Then pin that column's type ` +
      `(e.g. "text") under sources.${row.source}.streams.${row.stream}.columns in the config file, or fix the values at ` +
      `the source; \`crmsync sync ${row.source} ${row.stream} --full\` then stores the rows already read whole.`,
  }))

/**
 * consecutive_failures: the last N finished runs (3 by default) all failed — counted back from the
 * newest run to the last succeeded or partial one; cancelled runs neither count nor break the run.
 */
export function consecutiveFailuresFinding(settings: AlertSettings, row: DbFailureStreak): Finding {
  const rule = 'consecutive_failures'
  const on = ruleFor(settings, rule, row.source)
  if (!on || row.streak < on.threshold) return clear(rule, row.source, row.stream)
  const name = `${row.source}.${row.stream}`
  return {
    firing: true,
    rule,
    source: row.source,
    stream: row.stream,
    severity: on.severity,
    title: `${name}: the last ${row.streak} runs failed`,
    message:
      `${name} has failed ${row.streak} runs in a row (threshold ${on.threshold}). ` +
      `The latest error: ${sentence(row.last_error ?? '(none recorded)')} Retrying will not help until the cause ` +
      `is fixed: check the source's credentials and availability ` +
      `(\`crmsync status\`, \`${history(row.source, row.stream)}\`).`,
    value: row.streak,
    threshold: on.threshold,
    details: { streak: row.streak, lastError: row.last_error },
  }
}

/**
 * run_abandoned: the newest finished run of the stream died without finishing (its process was
 * killed or lost): found by any crmsync process's sweep, not by the run itself, so it would
 * otherwise pass unseen until failures pile up. Resolves when a later run finishes.
 */
export function abandonedFinding(settings: AlertSettings, row: DbFailureStreak): Finding {
  const rule = 'run_abandoned'
  const on = ruleFor(settings, rule, row.source)
  if (!on || row.last_error_code !== 'abandoned') return clear(rule, row.source, row.stream)
  const name = `${row.source}.${row.stream}`
  return {
    firing: true,
    rule,
    source: row.source,
    stream: row.stream,
    severity: on.severity,
    title: `${name}: the last run died without finishing`,
    message:
      `The process running ${name} stopped without ending its run (killed, out of memory, or its machine lost): ` +
      `${sentence(row.last_error ?? 'no heartbeat')} What it committed is kept; the next run resumes from the last ` +
      `committed page (\`crmsync sync ${row.source} ${row.stream}\`, or the dashboard's Sync now).`,
    value: 1,
    threshold: on.threshold,
    details: { lastError: row.last_error },
  }
}

/**
 * stale_data: no run that landed data (succeeded or partial; backfills excluded) within the
 * stream's allowed age — `rules.stale_data` per source, else 2 × `sources.<name>.expectedIntervalMinutes`,
 * else 1440 min. Fires at or over it. A stream that never landed data is measured from its first
 * run; a stream never synced has no state and is not stale.
 */
export function staleDataFinding(settings: AlertSettings, row: DbFreshness): Finding | undefined {
  const rule = 'stale_data'
  const on = ruleFor(settings, rule, row.source)
  if (!on) return clear(rule, row.source, row.stream)
  if (row.minutes_since === null) return undefined
  if (row.minutes_since < on.threshold) return clear(rule, row.source, row.stream)
  const name = `${row.source}.${row.stream}`
  const since = row.last_success_at
    ? `since ${new Date(row.last_success_at).toISOString().slice(0, 16).replace('T', ' ')} UTC`
    : `in ${duration(row.minutes_since)}, since its first run: nothing has landed yet`
  return {
    firing: true,
    rule,
    source: row.source,
    stream: row.stream,
    severity: on.severity,
    title: `${name}: no successful sync for ${duration(row.minutes_since)}`,
    message:
      `No run of ${name} has landed data ${since}; the warehouse copy is ${duration(row.minutes_since)} old, ` +
      `and at most ${duration(on.threshold)} is expected. Is the scheduler (\`crmsync worker\`) running, ` +
      `and are its runs failing? \`crmsync status\` shows each stream's last run.`,
    value: row.minutes_since,
    threshold: on.threshold,
    details: {
      minutesSince: row.minutes_since,
      lastSuccessAt: row.last_success_at,
      firstStartedAt: row.first_started_at,
    },
  }
}

/**
 * batch_processing_time (SalesPro by default): the slowest committed page (fetch_ms + write_ms in
 * crmsync.run_pages) of the stream's last finished run that committed any page. Fires at or over
 * the threshold (120 s).
 */
export function batchTimeFinding(settings: AlertSettings, row: DbSlowestPage): Finding {
  const rule = 'batch_processing_time'
  const on = ruleFor(settings, rule, row.source)
  const ms = row.fetch_ms + row.write_ms
  if (!on || ms < on.threshold * 1000) return clear(rule, row.source, row.stream)
  const name = `${row.source}.${row.stream}`
  const slower = row.fetch_ms >= row.write_ms ? 'reading it from the source' : 'writing it to the warehouse'
  return {
    firing: true,
    rule,
    source: row.source,
    stream: row.stream,
    severity: on.severity,
    title: `${name}: a page took ${secs(ms)} to process`,
    message:
      `Page ${row.page_no} of run ${row.run_id} of ${name} took ${secs(ms)} (fetch ${secs(row.fetch_ms)}, ` +
      `write ${secs(row.write_ms)}), over the ${on.threshold} s limit; most of it went on ${slower}. ` +
      `A smaller \`sources.${row.source}.batchSize\` makes each page quicker; a slow write points at the ` +
      `warehouse (load, locks, the pool).`,
    value: ms / 1000,
    threshold: on.threshold,
    details: {
      runId: row.run_id,
      pageNo: row.page_no,
      fetchMs: row.fetch_ms,
      writeMs: row.write_ms,
      pages: row.pages,
    },
  }
}
