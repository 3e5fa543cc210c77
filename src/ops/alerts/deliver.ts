import { setTimeout as sleep } from 'node:timers/promises'
import { redactSecrets, type Logger } from '../../log.ts'
import { insertDelivery } from '../../warehouse/sql/alerts.ts'
import type { Queryable } from '../../warehouse/types.ts'
import type { AlertSettings } from './config.ts'
import { isPermanent, type AlertChannel } from './channels/channel.ts'
import { emailChannel } from './channels/email.ts'
import { logChannel } from './channels/log.ts'
import { slackChannel } from './channels/slack.ts'
import { webhookChannel } from './channels/webhook.ts'
import { severityRank, type Notification } from './types.ts'

/** The log, then every channel the config names. The table is the alert row itself. */
export function createChannels(settings: AlertSettings, log: Logger): AlertChannel[] {
  const channels = [logChannel(log)]
  if (settings.channels.slack) channels.push(slackChannel(settings.channels.slack))
  if (settings.channels.webhook) channels.push(webhookChannel(settings.channels.webhook))
  if (settings.channels.email) channels.push(emailChannel(settings.channels.email, settings.delivery.timeoutMs))
  return channels
}

export interface DeliveryResult {
  channel: string
  status: 'delivered' | 'failed'
  attempts: number
  error: string | null
}

/**
 * Sends one notification through one channel: up to `attempts` tries, `backoffMs` × 2^n apart,
 * each bounded by `timeoutMs`; a permanent failure stops at once. Never throws: the result says.
 */
export async function deliverOne(channel: AlertChannel, n: Notification, policy: AlertSettings['delivery']): Promise<DeliveryResult> {
  let error = ''
  for (let attempt = 1; ; attempt++) {
    try {
      await channel.send(n, AbortSignal.timeout(policy.timeoutMs))
      return { channel: channel.name, status: 'delivered', attempts: attempt, error: null }
    } catch (e) {
      error = redactSecrets(e instanceof Error ? e.message : String(e))
      if (isPermanent(e) || attempt >= policy.attempts) return { channel: channel.name, status: 'failed', attempts: attempt, error }
      await sleep(policy.backoffMs * 2 ** (attempt - 1))
    }
  }
}

/**
 * Sends a notification through every channel whose minimum severity it meets (a test goes
 * everywhere), in parallel, and records each outcome in crmsync.alert_deliveries. A failure is
 * logged and recorded, never thrown: an alert channel must not fail anything else.
 */
export async function notify(
  db: Queryable,
  channels: readonly AlertChannel[],
  n: Notification,
  policy: AlertSettings['delivery'],
  log: Logger,
): Promise<DeliveryResult[]> {
  const targets = channels.filter((c) => n.event === 'test' || severityRank(n.alert.severity) >= severityRank(c.minSeverity))
  return Promise.all(
    targets.map(async (channel) => {
      const result = await deliverOne(channel, n, policy)
      const fields = { alertId: n.alert.id, channel: channel.name, attempts: result.attempts }
      const what = `alert ${n.alert.id} (${n.event})`
      if (result.status === 'failed') log.warn(fields, `${what} could not be delivered to ${channel.name}: ${result.error}`)
      else log.debug(fields, `${what} delivered to ${channel.name}`)
      await insertDelivery(db, { ...result, alertId: n.alert.id, event: n.event }).catch((error) =>
        log.warn({ err: error }, `could not record the delivery of alert ${n.alert.id} to ${channel.name}`),
      )
      return result
    }),
  )
}
