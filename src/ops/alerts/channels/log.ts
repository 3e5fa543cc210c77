import type { Logger } from '../../../log.ts'
import { headline } from '../render.ts'
import type { AlertChannel } from './channel.ts'

/** Always on: one line per opened (warn), reminded (warn) or resolved (info) alert. */
export function logChannel(log: Logger): AlertChannel {
  return {
    name: 'log',
    minSeverity: 'info',
    async send(n) {
      const { id: alertId, rule, source, stream, severity, value, threshold } = n.alert
      const fields = { alertId, rule, source, stream, severity, event: n.event }
      if (n.event === 'opened') log.warn({ ...fields, value, threshold }, `alert ${headline(n)}: ${n.alert.message}`)
      else log.info(fields, `alert ${headline(n)}`)
    },
  }
}
