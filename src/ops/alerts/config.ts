import { z } from 'zod'
import { SyncError } from '../../errors.ts'
import { registerSecret } from '../../log.ts'
import { ALERT_RULES, SEVERITIES, type AlertRule, type Severity } from './types.ts'

/**
 * The `alerts` section of crmsync.config.json. Everything is optional: with no section at all the
 * rules run with the original system's thresholds (reference/original-system.md §1.8) and alerts
 * go to the table and the log.
 *
 * ```jsonc
 * "alerts": {
 *   "cooldownMinutes": 15,
 *   "rules": {
 *     "sync_success_rate": { "threshold": 0.95, "windowHours": 24, "sources": { "salespro": { "threshold": 0.9 } } },
 *     "stale_data": { "sources": { "hubspot": { "threshold": 180 } } },
 *     "pool_exhaustion": { "severity": "error" },
 *     "coerced_share": { "threshold": 0.05, "windowHours": 24 },
 *     "schema_changed": { "sources": { "hubspot": { "enabled": false } } }
 *   },
 *   "channels": {
 *     "slack": { "webhookUrlEnv": "SLACK_WEBHOOK_URL" },
 *     "webhook": { "url": "https://ops.example.com/crmsync", "secretEnv": "CRMSYNC_WEBHOOK_SECRET" },
 *     "email": { "smtp": { "host": "smtp.example.com", "port": 587, "user": "alerts", "passwordEnv": "SMTP_PASSWORD" },
 *                "from": "crmsync <alerts@example.com>", "to": ["data-team@example.com"], "minSeverity": "error" }
 *   }
 * }
 * ```
 */
const severity = z.enum(SEVERITIES)
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
const address = z.string().regex(/^[^@\s]+@[^@\s]+$|<[^@\s]+@[^@\s]+>$/, 'must be an e-mail address')

/** The units of each rule's `threshold`. */
const THRESHOLD: Record<AlertRule, z.ZodNumber> = {
  sync_success_rate: z.number().min(0).max(1), // a ratio of runs
  sync_response_time: z.number().positive(), // seconds
  sync_error_rate: z.number().min(0).max(1), // a ratio of records
  batch_processing_time: z.number().positive(), // seconds
  stale_data: z.number().positive(), // minutes
  consecutive_failures: z.number().int().min(1).max(100), // runs
  run_abandoned: z.number().int().min(1).max(1), // the newest finished run: 1
  pool_exhaustion: z.number().positive().max(1), // a ratio of connections
  coerced_share: z.number().min(0).max(1), // a ratio of records
  schema_changed: z.number().positive().max(24 * 90), // hours an alert stays open after the stream's last change
}
const WINDOWED: readonly AlertRule[] = ['sync_success_rate', 'sync_error_rate', 'coerced_share']

const ruleSchema = (rule: AlertRule) => {
  const perSource = z
    .object({ enabled: z.boolean().optional(), threshold: THRESHOLD[rule].optional(), severity: severity.optional() })
    .strict()
  const base = perSource.extend({ sources: z.record(z.string(), perSource).optional() })
  return (WINDOWED.includes(rule) ? base.extend({ windowHours: z.number().positive().max(24 * 90).optional() }) : base).strict()
}

const rulesSchema = z.object(Object.fromEntries(ALERT_RULES.map((r) => [r, ruleSchema(r).optional()]))).strict()
export type RuleConfig = {
  enabled?: boolean
  threshold?: number
  severity?: Severity
  windowHours?: number
  sources?: Record<string, { enabled?: boolean; threshold?: number; severity?: Severity }>
}

const minSeverity = severity.default('info')

const channelsSchema = z
  .object({
    slack: z
      .object({ webhookUrl: z.url().optional(), webhookUrlEnv: envName.optional(), minSeverity })
      .strict()
      .refine((c) => (c.webhookUrl === undefined) !== (c.webhookUrlEnv === undefined), 'give webhookUrl or webhookUrlEnv (one of them)')
      .optional(),
    webhook: z
      .object({
        url: z.url(),
        secret: z.string().min(16, 'use a secret of at least 16 characters (openssl rand -hex 32)').optional(),
        secretEnv: envName.optional(),
        minSeverity,
      })
      .strict()
      .refine((c) => !(c.secret && c.secretEnv), 'give secret or secretEnv, not both')
      .optional(),
    email: z
      .object({
        smtp: z
          .object({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65535).default(587),
            /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it */
            secure: z.boolean().optional(),
            user: z.string().min(1).optional(),
            password: z.string().min(1).optional(),
            passwordEnv: envName.optional(),
          })
          .strict(),
        from: address,
        to: z.array(address).min(1),
        minSeverity,
      })
      .strict()
      .optional(),
  })
  .strict()

export const alertsConfigSchema = z
  .object({
    /** false turns the rules off; `alerts list` still reads the table */
    enabled: z.boolean().default(true),
    /** an open alert is notified again at most once per cooldown (the original's alert_cooldown_minutes) */
    cooldownMinutes: z.number().min(0).max(7 * 24 * 60).default(15),
    /** how often `serve` and `worker` evaluate every rule */
    evaluateEverySeconds: z.number().int().min(5).max(24 * 3600).default(60),
    rules: rulesSchema.prefault({}),
    channels: channelsSchema.prefault({}),
    /** each channel's delivery: attempts with exponential backoff (backoffMs, 2×, 4×…), each bounded by timeoutMs */
    delivery: z
      .object({
        attempts: z.number().int().min(1).max(10).default(3),
        backoffMs: z.number().int().min(0).max(60_000).default(1_000),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()

export interface SlackSettings {
  url: string
  minSeverity: Severity
}
export interface WebhookSettings {
  url: string
  secret?: string
  minSeverity: Severity
}
export interface EmailSettings {
  smtp: { host: string; port: number; secure?: boolean; user?: string; password?: string }
  from: string
  to: string[]
  minSeverity: Severity
}

/** The parsed section with secrets resolved from the environment: what the alert system runs on. */
export interface AlertSettings {
  enabled: boolean
  cooldownMs: number
  evaluateEveryMs: number
  rules: Partial<Record<AlertRule, RuleConfig>>
  /** `sources.<name>.expectedIntervalMinutes` and `enabled` of crmsync.config.json */
  sources: Record<string, { expectedIntervalMinutes?: number; enabled?: boolean }>
  channels: { slack?: SlackSettings; webhook?: WebhookSettings; email?: EmailSettings }
  delivery: { attempts: number; backoffMs: number; timeoutMs: number }
}

/** What the alert settings are read from: the loaded `Config` fits. */
export interface AlertsConfigInput {
  env: Readonly<Record<string, string | undefined>>
  file: { alerts?: unknown; sources?: Record<string, { expectedIntervalMinutes?: number; enabled?: boolean }> }
}

/**
 * Parses the `alerts` section, resolves `…Env` secrets and registers every secret with the log
 * redactor. Every problem is reported in one SyncError('config_invalid'). `knownSources`, when
 * given, catches a misspelt source under `rules.*.sources`.
 */
export function parseAlertsConfig(input: AlertsConfigInput, knownSources?: readonly string[]): AlertSettings {
  const parsed = alertsConfigSchema.safeParse(input.file.alerts ?? {})
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `alerts.${i.path.join('.')}: ${i.message}`)
  if (!parsed.success) throw new SyncError('config_invalid', `invalid alerts configuration: ${problems.join('; ')}`)
  const c = parsed.data
  const fromEnv = (name: string | undefined, path: string) => {
    if (name === undefined) return undefined
    const value = input.env[name]
    if (!value) problems.push(`alerts.${path}: the environment variable ${name} is not set`)
    return value || undefined
  }
  if (knownSources) {
    for (const [rule, rc] of Object.entries(c.rules) as [string, RuleConfig | undefined][])
      for (const source of Object.keys(rc?.sources ?? {}))
        if (!knownSources.includes(source))
          problems.push(`alerts.rules.${rule}.sources.${source}: unknown source; crmsync knows ${knownSources.join(', ')}`)
  }
  const channels: AlertSettings['channels'] = {}
  if (c.channels.slack) {
    const url = c.channels.slack.webhookUrl ?? fromEnv(c.channels.slack.webhookUrlEnv, 'channels.slack.webhookUrlEnv')
    if (url && !/^https?:\/\//.test(url)) problems.push('alerts.channels.slack: the webhook URL must start with https://')
    if (url) channels.slack = { url, minSeverity: c.channels.slack.minSeverity }
  }
  if (c.channels.webhook) {
    const w = c.channels.webhook
    const secret = w.secret ?? fromEnv(w.secretEnv, 'channels.webhook.secretEnv')
    channels.webhook = { url: w.url, secret, minSeverity: w.minSeverity }
  }
  if (c.channels.email) {
    const { smtp, ...rest } = c.channels.email
    const password = smtp.password ?? fromEnv(smtp.passwordEnv, 'channels.email.smtp.passwordEnv')
    if (password && !smtp.user) problems.push('alerts.channels.email.smtp: a password needs a user')
    channels.email = { ...rest, smtp: { host: smtp.host, port: smtp.port, secure: smtp.secure, user: smtp.user, password } }
  }
  if (problems.length) throw new SyncError('config_invalid', `invalid alerts configuration: ${problems.join('; ')}`)
  // the Slack URL is a credential (its path is the token); secrets never reach a log line or an error
  registerSecret(channels.slack?.url)
  registerSecret(channels.webhook?.secret)
  registerSecret(channels.email?.smtp.password)
  return {
    enabled: c.enabled,
    cooldownMs: c.cooldownMinutes * 60_000,
    evaluateEveryMs: c.evaluateEverySeconds * 1000,
    rules: c.rules as AlertSettings['rules'],
    sources: input.file.sources ?? {},
    channels,
    delivery: c.delivery,
  }
}
