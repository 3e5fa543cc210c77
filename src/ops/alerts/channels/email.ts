import type { Transporter } from 'nodemailer'
import type { EmailSettings } from '../config.ts'
import { headline, textBody } from '../render.ts'
import { permanentError, type AlertChannel } from './channel.ts'

/**
 * E-mail over SMTP with nodemailer, loaded only when an e-mail channel is configured. Subject
 * `[SEVERITY] title` like the original's; a plain-text body. A recipient the server refuses is a
 * permanent failure; a connection problem is retried.
 */
export function emailChannel(settings: EmailSettings, timeoutMs: number): AlertChannel {
  let transport: Promise<Transporter> | undefined
  const open = async () => {
    const nodemailer = (await import('nodemailer')).default
    const { host, port, secure, user, password } = settings.smtp
    return nodemailer.createTransport({
      host,
      port,
      secure: secure ?? port === 465,
      auth: user ? { user, pass: password } : undefined,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    })
  }
  return {
    name: 'email',
    minSeverity: settings.minSeverity,
    async send(n) {
      transport ??= open()
      try {
        await (await transport).sendMail({ from: settings.from, to: settings.to, subject: headline(n), text: textBody(n) })
      } catch (error) {
        const e = error as Error & { responseCode?: number; code?: string }
        const message = `SMTP ${settings.smtp.host}:${settings.smtp.port}: ${e.message}`
        // 5xx replies (bad recipient, auth refused) will not change on a retry; 4xx and network errors may
        if (e.responseCode !== undefined && e.responseCode >= 500) throw permanentError(message)
        if (e.code === 'EAUTH' || e.code === 'EENVELOPE') throw permanentError(message)
        throw new Error(message)
      }
    },
  }
}
