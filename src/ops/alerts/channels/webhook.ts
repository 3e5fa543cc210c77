import type { WebhookSettings } from '../config.ts'
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signPayload } from '../signature.ts'
import type { Notification } from '../types.ts'
import { postJson, type AlertChannel } from './channel.ts'

/**
 * A generic webhook: POST `{"event": "opened" | "resolved" | "test", "alert": {…}}` (the alert as
 * `alerts list --json` shows it), signed as signature.ts describes when a secret is configured.
 */
export function webhookChannel(settings: WebhookSettings, now: () => number = Date.now): AlertChannel {
  return {
    name: 'webhook',
    minSeverity: settings.minSeverity,
    async send(n: Notification, signal) {
      const body = JSON.stringify({ event: n.event, alert: n.alert })
      const timestamp = String(Math.floor(now() / 1000))
      const headers: Record<string, string> = { [TIMESTAMP_HEADER]: timestamp, 'user-agent': 'crmsync-alerts' }
      if (settings.secret) headers[SIGNATURE_HEADER] = signPayload(settings.secret, timestamp, body)
      await postJson(settings.url, body, headers, signal)
    },
  }
}
