import type { SlackSettings } from '../config.ts'
import { headline, textBody } from '../render.ts'
import type { Notification } from '../types.ts'
import { postJson, type AlertChannel } from './channel.ts'

const EMOJI: Record<string, string> = { info: ':information_source:', warning: ':warning:', error: ':red_circle:', critical: ':rotating_light:' }

/** The Slack incoming-webhook body: `text` (notifications, old clients) plus blocks for the message. */
export function slackBody(n: Notification): Record<string, unknown> {
  const emoji = n.event === 'resolved' ? ':white_check_mark:' : n.event === 'test' ? ':test_tube:' : (EMOJI[n.alert.severity] ?? '')
  const text = `${emoji} ${headline(n)}`
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: textBody(n).slice(0, 2900) } },
    ],
  }
}

export function slackChannel(settings: SlackSettings): AlertChannel {
  return {
    name: 'slack',
    minSeverity: settings.minSeverity,
    send: (n, signal) => postJson(settings.url, JSON.stringify(slackBody(n)), {}, signal),
  }
}
