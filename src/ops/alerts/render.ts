import type { Notification } from './types.ts'

/** The words every human-facing channel (log, Slack, e-mail) uses for a notification. */
export function headline(n: Notification): string {
  const tag = n.event === 'test' ? 'TEST' : n.event === 'resolved' ? 'RESOLVED' : n.alert.severity.toUpperCase()
  return `[${tag}] ${n.reminder ? 'still open: ' : ''}${n.alert.title}`
}

const time = (iso: string | null) => (iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '')

/** A plain-text body: what is wrong, what to do, and how to silence the reminders. */
export function textBody(n: Notification): string {
  const a = n.alert
  const lines = [n.event === 'resolved' ? `Resolved: ${a.title} (the rule no longer fires).` : a.message, '']
  if (a.value !== null && a.threshold !== null) lines.push(`value ${round(a.value)}, threshold ${round(a.threshold)}`)
  lines.push(`rule ${a.rule}${a.source ? `, ${a.source}${a.stream ? `.${a.stream}` : ''}` : ''}, severity ${a.severity}`)
  lines.push(`opened ${time(a.openedAt)}${a.resolvedAt ? `, resolved ${time(a.resolvedAt)}` : `, last seen ${time(a.lastSeenAt)}`}`)
  if (n.event === 'opened') lines.push('', `Acknowledge to stop the reminders: crmsync alerts ack ${a.id}`)
  return lines.join('\n')
}

const round = (x: number) => Number(x.toFixed(4))
