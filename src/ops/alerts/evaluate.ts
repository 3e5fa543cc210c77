import {
  failureStreaks,
  recordCounts,
  runOutcomes,
  slowestPages,
  streamFreshness,
  type StreamScope,
} from '../../warehouse/sql/alerts.ts'
import type { Queryable } from '../../warehouse/types.ts'
import type { AlertSettings } from './config.ts'
import { windowHours } from './rule-settings.ts'
import {
  abandonedFinding,
  batchTimeFinding,
  consecutiveFailuresFinding,
  errorRateFinding,
  staleDataFinding,
  successRateFinding,
} from './stream-rules.ts'
import type { Finding } from './types.ts'

/**
 * Judges every history rule for one stream (after its run) or for every stream with state (the
 * timer): five small queries whatever the number of streams.
 */
export async function evaluateStreams(db: Queryable, settings: AlertSettings, scope: StreamScope = {}): Promise<Finding[]> {
  const hours = (rule: 'sync_success_rate' | 'sync_error_rate') => windowHours(settings, rule) * 3600
  const [outcomes, counts, streaks, freshness, pages] = [
    await runOutcomes(db, hours('sync_success_rate'), scope),
    await recordCounts(db, hours('sync_error_rate'), scope),
    await failureStreaks(db, scope),
    await streamFreshness(db, scope),
    await slowestPages(db, scope),
  ]
  const findings: (Finding | undefined)[] = [
    ...outcomes.map((row) => successRateFinding(settings, row)),
    ...counts.map((row) => errorRateFinding(settings, row)),
    ...streaks.map((row) => consecutiveFailuresFinding(settings, row)),
    ...streaks.map((row) => abandonedFinding(settings, row)),
    ...freshness.map((row) => staleDataFinding(settings, row)),
    ...pages.map((row) => batchTimeFinding(settings, row)),
  ]
  return findings.filter((f): f is Finding => f !== undefined)
}
