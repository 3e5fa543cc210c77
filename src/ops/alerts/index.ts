/**
 * The alert system: rules over the run history and the process, alerts kept in crmsync.alerts,
 * notifications through the log, Slack, a signed webhook and e-mail. See attach.ts for how it
 * plugs into the engine's events, stream-rules.ts and process-rules.ts for what each rule means.
 */
import { acknowledgeAlert as acknowledgeRow, listAlerts as listRows, type AlertFilter } from '../../warehouse/sql/alerts.ts'

export type { AlertFilter }
import type { Queryable } from '../../warehouse/types.ts'
import { toAlert, type Alert } from './types.ts'

export { attachAlerts, type AlertSystem, type AttachAlertsOptions } from './attach.ts'
export { parseAlertsConfig, type AlertSettings, type AlertsConfigInput } from './config.ts'
export { createChannels, type DeliveryResult } from './deliver.ts'
export { RULE_DEFAULTS } from './rule-settings.ts'
export { sendTestAlert } from './send-test.ts'
export { SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload, verifySignature } from './signature.ts'
export { ALERT_RULES, SEVERITIES, type Alert, type AlertRule, type Notification, type Severity } from './types.ts'

/** Alerts for the CLI and the dashboard: unresolved ones by default, newest first. */
export async function listAlerts(db: Queryable, filter: AlertFilter = {}): Promise<Alert[]> {
  return (await listRows(db, filter)).map(toAlert)
}

/**
 * Acknowledges an open alert: someone is on it, so no more reminders; it still resolves (and says
 * so) when its rule stops firing. Returns undefined when there is no such unresolved alert.
 */
export async function acknowledgeAlert(db: Queryable, id: number, by: string): Promise<Alert | undefined> {
  const row = await acknowledgeRow(db, id, by)
  return row ? toAlert(row) : undefined
}
