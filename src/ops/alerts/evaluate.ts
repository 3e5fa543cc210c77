import {
  failureStreaks,
  lastSchemaChanges,
  recordCounts,
  runOutcomes,
  slowestPages,
  streamFreshness,
  type StreamScope,
} from '../../warehouse/sql/alerts.ts'
import type { Queryable } from '../../warehouse/types.ts'
import type { AlertSettings } from './config.ts'
import { windowHours, type WindowedRule } from './rule-settings.ts'
import { schemaChangeAgeFinding } from './schema-rules.ts'
import {
  abandonedFinding,
  batchTimeFinding,
  coercedShareFinding,
  consecutiveFailuresFinding,
  errorRateFinding,
  staleDataFinding,
  successRateFinding,
} from './stream-rules.ts'
import type { Finding } from './types.ts'

/**
 * Judges every history rule for one stream (after its run) or for every stream with state (the
 * timer): six small queries whatever the number of streams (seven when coerced_share and
 * sync_error_rate are given different windows).
 */
export async function evaluateStreams(db: Queryable, settings: AlertSettings, scope: StreamScope = {}): Promise<Finding[]> {
  const hours = (rule: WindowedRule) => windowHours(settings, rule) * 3600
  const [outcomes, counts, streaks, freshness, pages, changes] = [
    await runOutcomes(db, hours('sync_success_rate'), scope),
    await recordCounts(db, hours('sync_error_rate'), scope),
    await failureStreaks(db, scope),
    await streamFreshness(db, scope),
    await slowestPages(db, scope),
    await lastSchemaChanges(db, scope),
  ]
  // both rules divide by the same records fetched: one read serves both when their windows agree
  const coercedCounts = hours('coerced_share') === hours('sync_error_rate') ? counts : await recordCounts(db, hours('coerced_share'), scope)
  const findings: (Finding | undefined)[] = [
    ...outcomes.map((row) => successRateFinding(settings, row)),
    ...counts.map((row) => errorRateFinding(settings, row)),
    ...coercedCounts.map((row) => coercedShareFinding(settings, row)),
    ...changes.map((row) => schemaChangeAgeFinding(settings, row)),
    ...streaks.map((row) => consecutiveFailuresFinding(settings, row)),
    ...streaks.map((row) => abandonedFinding(settings, row)),
    ...freshness.map((row) => staleDataFinding(settings, row)),
    ...pages.map((row) => batchTimeFinding(settings, row)),
  ]
  return findings.filter((f): f is Finding => f !== undefined)
}
