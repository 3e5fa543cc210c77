import { hostname } from 'node:os'
import { redactSecrets, type Logger } from '../../log.ts'
import { insertResolvedAlert } from '../../warehouse/sql/alerts.ts'
import type { Queryable } from '../../warehouse/types.ts'
import type { AlertChannel } from './channels/channel.ts'
import type { AlertSettings } from './config.ts'
import { notify, type DeliveryResult } from './deliver.ts'
import { toAlert, type Alert } from './types.ts'

/**
 * `crmsync alerts test`: one test alert through every configured channel, each result reported.
 * The alert is written to the table already resolved — that proves the table channel without
 * leaving an open alert behind — and the deliveries are recorded against it.
 */
export async function sendTestAlert(
  db: Queryable,
  settings: AlertSettings,
  channels: readonly AlertChannel[],
  log: Logger,
): Promise<{ alert: Alert | null; results: DeliveryResult[] }> {
  const by = `${hostname()}/${process.pid}`
  let row
  try {
    row = await insertResolvedAlert(db, {
      rule: 'test',
      dedupeKey: `test:${Date.now()}`,
      source: null,
      stream: null,
      severity: 'info',
      title: 'crmsync test alert',
      message: `A test alert sent by \`crmsync alerts test\` from ${by}. If you can read this, the channel works; nothing needs doing.`,
      value: null,
      threshold: null,
      details: { sentBy: by },
    })
  } catch (error) {
    const failure = { channel: 'table', status: 'failed' as const, attempts: 1, error: redactSecrets((error as Error).message) }
    return { alert: null, results: [failure] }
  }
  const alert = toAlert(row)
  const results = await notify(db, channels, { event: 'test', reminder: false, alert }, settings.delivery, log)
  return { alert, results: [{ channel: 'table', status: 'delivered', attempts: 1, error: null }, ...results] }
}
