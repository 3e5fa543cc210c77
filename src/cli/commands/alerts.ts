import { userInfo } from 'node:os'
import { SOURCE_NAMES } from '../../connectors/registry.ts'
import { SyncError } from '../../errors.ts'
import { acknowledgeAlert, attachAlerts, createChannels, listAlerts, parseAlertsConfig, sendTestAlert, type Alert } from '../../ops/alerts/index.ts'
import { parseCommandArgs, positiveInt } from '../args.ts'
import type { CliContext } from '../context.ts'
import { table } from '../output.ts'

export const ALERTS_HELP = `crmsync alerts list [--all] [--source S] [--stream T] [--limit N] [--json]
crmsync alerts test [--json]
crmsync alerts ack <id> [--by NAME] [--json]
crmsync alerts evaluate [--json]

Alerts are kept in crmsync.alerts: one per problem (rule + source + stream), opened when a rule
fires, resolved when it stops. Rules: sync_success_rate, sync_error_rate, consecutive_failures,
run_abandoned (a run's process died without ending it), stale_data, batch_processing_time,
sync_response_time, pool_exhaustion, coerced_share (records stored with a field nulled because
it did not fit its column, 1% of fetched by default), and schema_changed (info: a run changed a
table's shape; one alert per change, open for 24 h); thresholds and channels
(slack, webhook, email) are set under "alerts" in crmsync.config.json.

  list       open and acknowledged alerts, newest first; --all adds resolved ones
  test       sends a test alert through every configured channel and says which worked
             (exit 1 if any failed, 2 if the alerts configuration is invalid)
  ack ID     acknowledges an alert: no more reminders; it still resolves on its own
  evaluate   judges every rule now and notifies (for schedules without \`crmsync worker\`)`

const HEADERS = ['id', 'severity', 'status', 'rule', 'stream', 'value', 'threshold', 'opened (UTC)', 'title']
const alertRow = (a: Alert) => [
  a.id,
  a.severity,
  a.status,
  a.rule,
  a.source ? `${a.source}${a.stream ? `.${a.stream}` : ''}` : '',
  a.value === null ? '' : Number(a.value.toFixed(3)),
  a.threshold === null ? '' : a.threshold,
  a.openedAt.slice(0, 16).replace('T', ' '),
  a.title,
]

export async function alertsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      all: { type: 'boolean', default: false },
      source: { type: 'string' },
      stream: { type: 'string' },
      limit: { type: 'string' },
      by: { type: 'string' },
    },
    'alerts',
  )
  const [action, ...rest] = positionals
  const json = values.json ?? false
  if (action === 'list' || action === undefined) {
    const warehouse = await ctx.warehouse()
    const alerts = await listAlerts(warehouse, {
      statuses: values.all ? ['open', 'acknowledged', 'resolved'] : undefined,
      source: values.source,
      stream: values.stream,
      limit: positiveInt(values.limit, '--limit', 10_000) ?? 100,
    })
    if (json) ctx.out.result({ alerts })
    else if (alerts.length === 0) ctx.out.line(values.all ? 'no alerts yet' : 'no open alerts')
    else ctx.out.line(table(HEADERS, alerts.map(alertRow)))
    return 0
  }
  if (action === 'ack') {
    const id = positiveInt(rest[0], 'the alert id')
    if (id === undefined) throw new SyncError('config_invalid', 'name the alert to acknowledge: crmsync alerts ack <id>')
    const by = values.by ?? process.env.USER ?? userInfo().username
    const alert = await acknowledgeAlert(await ctx.warehouse(), id, by)
    if (!alert)
      throw new SyncError('config_invalid', `there is no unresolved alert ${id} (\`crmsync alerts list --all\` shows every alert)`)
    if (json) ctx.out.result({ alert })
    else ctx.out.line(`alert ${id} acknowledged by ${alert.acknowledgedBy}: no more reminders; it still resolves when "${alert.rule}" stops firing`)
    return 0
  }
  if (action === 'test') {
    const settings = parseAlertsConfig(ctx.config, SOURCE_NAMES)
    const channels = createChannels(settings, ctx.log)
    const { alert, results } = await sendTestAlert(await ctx.warehouse(), settings, channels, ctx.log)
    if (json) ctx.out.result({ alertId: alert?.id ?? null, channels: results })
    else {
      for (const r of results)
        ctx.out.line(`${r.channel.padEnd(8)} ${r.status}${r.status === 'failed' ? ` after ${r.attempts} attempt(s): ${r.error}` : ''}`)
      if (results.length <= 2)
        ctx.out.note('only the table and the log are configured: add alerts.channels.slack, .webhook or .email to crmsync.config.json')
    }
    return results.some((r) => r.status === 'failed') ? 1 : 0
  }
  if (action === 'evaluate') {
    const warehouse = await ctx.warehouse()
    const alerts = attachAlerts({ warehouse, log: ctx.log, config: ctx.config, sources: SOURCE_NAMES })
    try {
      await alerts.evaluate()
    } finally {
      await alerts.close()
    }
    const open = await listAlerts(warehouse)
    if (json) ctx.out.result({ alerts: open })
    else ctx.out.line(open.length ? table(HEADERS, open.map(alertRow)) : 'no open alerts')
    return 0
  }
  throw new SyncError('config_invalid', `unknown alerts action ${JSON.stringify(action)}: list, test, ack or evaluate. Run \`crmsync alerts --help\`.`)
}
