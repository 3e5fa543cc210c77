import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runSync } from '../../src/engine/run-sync.ts'
import { SyncError } from '../../src/errors.ts'
import { silentLogger } from '../../src/log.ts'
import { attachAlerts, createChannels, listAlerts, parseAlertsConfig, sendTestAlert, verifySignature } from '../../src/ops/alerts/index.ts'
import { listDeliveries } from '../../src/warehouse/sql/alerts.ts'
import { decodeQuotedPrintable, memoryLogger, recordingChannel, seedRun, startReceiver, startSmtp } from '../helpers/alerts.ts'
import { createFakeConnector, createFakeStream, makeRows } from '../helpers/fake-source.ts'
import { createTestWarehouse, postgresUnavailable, type TestWarehouse } from '../helpers/warehouses.ts'

const SECRET = 'whsec-0123456789abcdef-test'
const FAST = { attempts: 3, backoffMs: 20, timeoutMs: 5_000 }

/** Channel delivery against local receivers; any warehouse will do (a PostgreSQL clone is quickest). */
describe('alert channels', () => {
  let db: TestWarehouse
  beforeAll(async () => {
    db = await createTestWarehouse(postgresUnavailable() ? 'pglite' : 'postgres')
  })
  afterAll(async () => db?.drop())

  const evaluateWith = async (alerts: Record<string, unknown>, log = silentLogger()) => {
    const system = attachAlerts({ warehouse: db.warehouse, log, config: { env: { HOOK_SECRET: SECRET }, file: { alerts: { delivery: FAST, ...alerts } } } })
    await system.evaluate()
    await system.close()
  }
  const alertFor = async (stream: string) => (await listAlerts(db.warehouse)).find((a) => a.stream === stream && a.rule === 'sync_success_rate')

  it('posts a signed webhook a receiver can verify: the signature covers the timestamp and the exact body', async () => {
    const receiver = await startReceiver()
    try {
      await seedRun(db.warehouse, { stream: 'wh_signed', status: 'failed' })
      await evaluateWith({ channels: { webhook: { url: receiver.url, secretEnv: 'HOOK_SECRET' } } })
      const request = receiver.requests.find((r) => JSON.parse(r.body).alert.stream === 'wh_signed')
      expect(request).toBeDefined()
      const { headers, body } = request!
      const timestamp = headers['x-crmsync-timestamp'] as string
      const signature = headers['x-crmsync-signature'] as string
      expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/)
      expect(verifySignature({ secret: SECRET, body, timestamp, signature })).toBe(true)
      expect(verifySignature({ secret: SECRET, body: body.replace('wh_signed', 'wh_forged'), timestamp, signature })).toBe(false)
      expect(verifySignature({ secret: 'another-secret-of-16+', body, timestamp, signature })).toBe(false)
      expect(verifySignature({ secret: SECRET, body, timestamp, signature, now: () => (Number(timestamp) + 3600) * 1000 })).toBe(false)
      const payload = JSON.parse(body)
      expect(Object.keys(payload)).toEqual(['event', 'alert'])
      expect(payload).toMatchObject({ event: 'opened', alert: { rule: 'sync_success_rate', source: 'salespro', stream: 'wh_signed', status: 'open', severity: 'error', value: 0, threshold: 0.95 } })
      const alert = await alertFor('wh_signed')
      expect((await listDeliveries(db.warehouse, alert!.id)).map((d) => [d.channel, d.status, d.attempts])).toEqual(
        expect.arrayContaining([['log', 'delivered', 1], ['webhook', 'delivered', 1]]),
      )
    } finally {
      await receiver.close()
    }
  })

  it('retries a receiver that answers 500 twice and then 200: delivered on the third attempt', async () => {
    const receiver = await startReceiver((n) => (n <= 2 ? 500 : 200))
    try {
      await seedRun(db.warehouse, { stream: 'wh_flaky', status: 'failed' })
      await evaluateWith({ channels: { webhook: { url: receiver.url } } })
      expect(receiver.requests).toHaveLength(3)
      // without a secret nothing is signed, but the timestamp is still sent
      expect(receiver.requests[2].headers['x-crmsync-signature']).toBeUndefined()
      const alert = await alertFor('wh_flaky')
      expect((await listDeliveries(db.warehouse, alert!.id)).find((d) => d.channel === 'webhook')).toMatchObject({ status: 'delivered', attempts: 3, error: null })
    } finally {
      await receiver.close()
    }
  })

  it('a receiver that always fails is recorded failed, while a sync running at the same time succeeds', async () => {
    const receiver = await startReceiver(() => 503)
    const { log, lines } = memoryLogger()
    try {
      const events = createEngineEvents()
      const system = attachAlerts({ warehouse: db.warehouse, events, log, config: { env: {}, file: { alerts: { delivery: { ...FAST, backoffMs: 200 }, channels: { webhook: { url: receiver.url } } } } } })
      const broken = createFakeStream(
        {
          rows: makeRows(5),
          pagesServed: 0,
          beforePage: () => {
            throw new SyncError('auth_failed', 'the source refused the credentials')
          },
        },
        { name: 'wh_broken' },
      )
      const healthy = createFakeStream({ rows: makeRows(25), pagesServed: 0 }, { name: 'wh_healthy' })
      const connector = createFakeConnector({ rows: new Map(), pagesServed: 0 }, [broken, healthy])
      const { runs } = await runSync([{ connector, config: {}, settings: { lookbackSeconds: 0, horizonSeconds: 0, batchSize: 10 } }], { warehouse: db.warehouse, log, events })
      expect(runs.map((r) => [r.stream, r.status])).toEqual([['wh_broken', 'failed'], ['wh_healthy', 'succeeded']])
      await system.close()
      const alert = (await listAlerts(db.warehouse, { source: 'fake' })).find((a) => a.stream === 'wh_broken' && a.rule === 'sync_success_rate')
      expect(alert).toMatchObject({ status: 'open' })
      expect((await listDeliveries(db.warehouse, alert!.id)).find((d) => d.channel === 'webhook')).toMatchObject({ status: 'failed', attempts: 3, error: expect.stringMatching(/HTTP 503/) })
      expect(receiver.requests.length).toBeGreaterThanOrEqual(3)
      expect(lines()).toMatch(/could not be delivered to webhook/)
    } finally {
      await receiver.close()
    }
  })

  it('posts the Slack incoming-webhook format (text and blocks), and never shows the webhook URL in an error', async () => {
    const ok = await startReceiver()
    const refused = await startReceiver(() => 404)
    try {
      const slackPath = '/services/T000/B000/sekrit-slack-token'
      const settings = parseAlertsConfig({ env: { SLACK_URL: `${ok.url}${slackPath}` }, file: { alerts: { delivery: FAST, channels: { slack: { webhookUrlEnv: 'SLACK_URL' } } } } })
      const { results } = await sendTestAlert(db.warehouse, settings, createChannels(settings, silentLogger()), silentLogger())
      expect(results.map((r) => [r.channel, r.status])).toEqual([['table', 'delivered'], ['log', 'delivered'], ['slack', 'delivered']])
      expect(ok.requests[0].url).toBe(`/hook${slackPath}`)
      const body = JSON.parse(ok.requests[0].body)
      expect(body.text).toMatch(/\[TEST\] crmsync test alert/)
      expect(body.blocks).toEqual([
        { type: 'section', text: { type: 'mrkdwn', text: expect.stringMatching(/^\*.*\[TEST\] crmsync test alert\*$/) } },
        { type: 'section', text: { type: 'mrkdwn', text: expect.stringMatching(/the channel works/) } },
      ])

      const { log, lines } = memoryLogger()
      const bad = parseAlertsConfig({ env: {}, file: { alerts: { delivery: FAST, channels: { slack: { webhookUrl: `${refused.url}${slackPath}` } } } } })
      const outcome = await sendTestAlert(db.warehouse, bad, createChannels(bad, log), log)
      // a 404 will not get better: one attempt, and the error names the host only
      expect(outcome.results.find((r) => r.channel === 'slack')).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringMatching(/HTTP 404/) })
      expect(JSON.stringify(outcome) + lines()).not.toContain('sekrit-slack-token')
    } finally {
      await ok.close()
      await refused.close()
    }
  })

  it('sends e-mail through a local SMTP server with login: subject, recipients and body; the password never logged', async () => {
    const smtp = await startSmtp({ user: 'alerts', password: 'smtp-pa55word-xyz' })
    const { log, lines } = memoryLogger()
    try {
      await seedRun(db.warehouse, { stream: 'mail', status: 'failed', error: 'GENERIC_INTERNAL_ERROR: emulated query failure' })
      const email = {
        smtp: { host: '127.0.0.1', port: smtp.port, user: 'alerts', passwordEnv: 'SMTP_PASSWORD' },
        from: 'crmsync <alerts@example.com>',
        to: ['data-team@example.com', 'oncall@example.com'],
      }
      const system = attachAlerts({ warehouse: db.warehouse, log, config: { env: { SMTP_PASSWORD: 'smtp-pa55word-xyz' }, file: { alerts: { delivery: FAST, channels: { email } } } } })
      await system.evaluate()
      await system.close()
      const mail = smtp.messages.find((m) => m.raw.includes('salespro.mail'))
      expect(mail).toBeDefined()
      expect(mail!.user).toBe('alerts')
      expect(mail!.from).toBe('alerts@example.com')
      expect(mail!.to).toEqual(['data-team@example.com', 'oncall@example.com'])
      const raw = decodeQuotedPrintable(mail!.raw)
      expect(raw).toMatch(/^Subject: \[ERROR\] salespro\.mail: 0 of 1 runs succeeded in the last 24 h/m)
      expect(raw).toMatch(/^To: data-team@example\.com, oncall@example\.com/m)
      expect(raw).toMatch(/GENERIC_INTERNAL_ERROR: emulated query failure/)
      expect(raw).toMatch(/crmsync alerts ack \d+/)
      expect(lines()).not.toContain('smtp-pa55word-xyz')

      // a wrong password is refused for good: reported, not retried
      const wrong = parseAlertsConfig({ env: {}, file: { alerts: { delivery: FAST, channels: { email: { ...email, smtp: { ...email.smtp, passwordEnv: undefined, password: 'not-the-password' } } } } } })
      const { results } = await sendTestAlert(db.warehouse, wrong, createChannels(wrong, log), log)
      expect(results.find((r) => r.channel === 'email')).toMatchObject({ status: 'failed', attempts: 1 })
      expect(JSON.stringify(results) + lines()).not.toContain('not-the-password')
    } finally {
      await smtp.close()
    }
  })

  it('the timer (serve, worker) evaluates every rule on its own, and close() stops it', async () => {
    const recorder = recordingChannel()
    await seedRun(db.warehouse, { stream: 'on_timer', status: 'failed' })
    const system = attachAlerts({ warehouse: db.warehouse, log: silentLogger(), config: { env: {}, file: {} }, channels: [recorder], timer: 50 })
    await vi.waitFor(() => expect(recorder.sent.some((n) => n.alert.stream === 'on_timer')).toBe(true), { timeout: 60_000, interval: 50 })
    await system.close()
    expect(await alertFor('on_timer')).toMatchObject({ status: 'open' })
  })
})
