import { describe, expect, it } from 'vitest'
import { redactSecrets } from '../../log.ts'
import { parseAlertsConfig } from './config.ts'
import { ruleFor } from './rule-settings.ts'

const parse = (alerts: unknown, env: Record<string, string> = {}, sources = {}) => parseAlertsConfig({ env, file: { alerts, sources } }, ['salespro', 'hubspot', 'salesrabbit'])

describe('the alerts configuration', () => {
  it('defaults to the seed thresholds: 0.95, 30 s (SalesPro 60 s), 0.05, SalesPro batches 120 s, a 15 min cooldown', () => {
    const s = parse(undefined)
    expect(s).toMatchObject({ enabled: true, cooldownMs: 15 * 60_000, evaluateEveryMs: 60_000, channels: {} })
    expect(ruleFor(s, 'sync_success_rate', 'hubspot')).toEqual({ threshold: 0.95, severity: 'error' })
    expect(ruleFor(s, 'sync_response_time', 'hubspot')).toEqual({ threshold: 30, severity: 'warning' })
    expect(ruleFor(s, 'sync_response_time', 'salespro')).toEqual({ threshold: 60, severity: 'warning' })
    expect(ruleFor(s, 'sync_error_rate', 'salesrabbit')?.threshold).toBe(0.05)
    expect(ruleFor(s, 'batch_processing_time', 'salespro')?.threshold).toBe(120)
    expect(ruleFor(s, 'batch_processing_time', 'hubspot')).toBeUndefined()
    expect(ruleFor(s, 'consecutive_failures', 'hubspot')?.threshold).toBe(3)
    expect(ruleFor(s, 'stale_data', 'hubspot')).toEqual({ threshold: 1440, severity: 'warning' })
    expect(ruleFor(s, 'pool_exhaustion', null)).toEqual({ threshold: 0.9, severity: 'critical' })
    expect(ruleFor(s, 'coerced_share', 'hubspot')).toEqual({ threshold: 0.01, severity: 'warning' })
    expect(ruleFor(s, 'schema_changed', 'salesrabbit')).toEqual({ threshold: 24, severity: 'info' })
  })

  it('coerced_share takes a ratio and a window; schema_changed hours; out of range is an error', () => {
    const s = parse({ rules: { coerced_share: { threshold: 0.2, windowHours: 6, sources: { hubspot: { severity: 'error' } } }, schema_changed: { threshold: 72 } } })
    expect(ruleFor(s, 'coerced_share', 'hubspot')).toEqual({ threshold: 0.2, severity: 'error' })
    expect(s.rules.coerced_share?.windowHours).toBe(6)
    expect(ruleFor(s, 'schema_changed', 'salespro')?.threshold).toBe(72)
    expect(() => parse({ rules: { coerced_share: { threshold: 2 } } })).toThrow(/alerts\.rules\.coerced_share\.threshold/)
    expect(() => parse({ rules: { schema_changed: { windowHours: 5 } } })).toThrow(/alerts\.rules\.schema_changed: Unrecognized key/)
  })

  it('the most specific setting wins: per source, then the expected interval (stale), then per rule', () => {
    const s = parse(
      { rules: { sync_response_time: { threshold: 45, sources: { hubspot: { threshold: 10, severity: 'error' } } }, stale_data: { threshold: 600 } } },
      {},
      { salesrabbit: { expectedIntervalMinutes: 30 }, hubspot: { enabled: false } },
    )
    expect(ruleFor(s, 'sync_response_time', 'hubspot')).toEqual({ threshold: 10, severity: 'error' })
    expect(ruleFor(s, 'sync_response_time', 'salespro')?.threshold).toBe(45)
    expect(ruleFor(s, 'stale_data', 'salesrabbit')?.threshold).toBe(60)
    expect(ruleFor(s, 'stale_data', 'salespro')?.threshold).toBe(600)
    // a disabled source is not expected to sync, so it is never stale
    expect(ruleFor(s, 'stale_data', 'hubspot')).toBeUndefined()
  })

  it('resolves secrets from the environment and keeps them out of every log line', () => {
    const s = parse(
      {
        channels: {
          slack: { webhookUrlEnv: 'SLACK_URL' },
          webhook: { url: 'https://ops.example.com/hook', secretEnv: 'HOOK_SECRET' },
          email: { smtp: { host: 'smtp.example.com', user: 'alerts', passwordEnv: 'SMTP_PASSWORD' }, from: 'alerts@example.com', to: ['a@example.com'] },
        },
      },
      { SLACK_URL: 'https://hooks.slack.com/services/T1/B1/tok3n-xyz', HOOK_SECRET: 'hook-secret-0123456789', SMTP_PASSWORD: 'smtp-secret-987' },
    )
    expect(s.channels.slack?.url).toBe('https://hooks.slack.com/services/T1/B1/tok3n-xyz')
    expect(s.channels.email?.smtp).toMatchObject({ port: 587, password: 'smtp-secret-987' })
    expect(redactSecrets('tok3n? https://hooks.slack.com/services/T1/B1/tok3n-xyz hook-secret-0123456789 smtp-secret-987')).toBe('tok3n? [redacted] [redacted] [redacted]')
  })

  it('reports every problem in one message', () => {
    let message = ''
    try {
      parse(
        {
          cooldownMinutes: -1,
          rules: { sync_success_rate: { threshold: 1.5 }, sync_sucess_rate: {} },
          channels: { slack: {}, webhook: { url: 'not a url', secret: 'short' }, email: { smtp: { host: 'h' }, from: 'x', to: [] } },
        },
      )
    } catch (error) {
      expect(error).toMatchObject({ name: 'SyncError', code: 'config_invalid' })
      message = (error as Error).message
    }
    for (const expected of ['cooldownMinutes', 'rules.sync_success_rate.threshold', 'rules: Unrecognized key: "sync_sucess_rate"', 'channels.slack', 'channels.webhook.url', 'channels.webhook.secret', 'channels.email.from', 'channels.email.to'])
      expect(message).toContain(`alerts.${expected}`)
  })

  it('reports unset environment variables and unknown sources together', () => {
    expect(() =>
      parse({
        rules: { stale_data: { sources: { salespr: { threshold: 5 } } } },
        channels: { webhook: { url: 'https://x.example.com', secretEnv: 'NOPE_SECRET' }, slack: { webhookUrlEnv: 'NOPE_SLACK' } },
      }),
    ).toThrow(/stale_data\.sources\.salespr: unknown source.*NOPE_SLACK is not set.*NOPE_SECRET is not set|NOPE_SLACK is not set.*NOPE_SECRET is not set/)
  })
})
