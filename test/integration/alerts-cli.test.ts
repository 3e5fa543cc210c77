import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEnv, runCli } from '../helpers/cli.ts'
import { startReceiver } from '../helpers/alerts.ts'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { createEmptyDatabase, postgresUnavailable } from '../helpers/warehouses.ts'

/**
 * The alert system through the real CLI: `crmsync sync` evaluates the rules after each run, and
 * `crmsync alerts` lists, tests and acknowledges. Runs on PostgreSQL when it is reachable, else on
 * the embedded warehouse.
 */
describe('crmsync alerts', () => {
  let source: SalesProFixture
  let db: { url: string; drop(): Promise<void> } | undefined
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    source = await startSalesPro({ rows: 40, seed: 7 })
    if (!postgresUnavailable()) db = await createEmptyDatabase()
    // retries of the failing query are real, only shorter
    env = cliEnv({ ...source.emulator.env, DATABASE_URL: db?.url, CRMSYNC_RETRY_SCALE: '0.001' })
  })
  afterAll(async () => {
    await source?.emulator.close()
    await db?.drop()
  })
  const writeConfig = (config: unknown) => writeFileSync(env.CRMSYNC_CONFIG as string, JSON.stringify(config))

  it('a sync whose every Athena query fails leaves an open success-rate alert for that stream', async () => {
    await source.admin('/_admin/source-faults', { failQueries: { rate: 1 } })
    try {
      const sync = await runCli(['sync', 'salespro', 'payment', '--json'], env)
      expect(sync.code, sync.stderr).toBe(1)
      expect(JSON.parse(sync.stdout).runs[0]).toMatchObject({ stream: 'payment', status: 'failed' })
    } finally {
      await source.admin('/_admin/source-faults', undefined, 'DELETE')
    }
    const list = await runCli(['alerts', 'list', '--json'], env)
    expect(list.code, list.stderr).toBe(0)
    const { alerts } = JSON.parse(list.stdout)
    const alert = alerts.find((a: { rule: string }) => a.rule === 'sync_success_rate')
    expect(alert).toMatchObject({ source: 'salespro', stream: 'payment', status: 'open', severity: 'error', value: 0, threshold: 0.95 })
    expect(alert.message).toMatch(/crmsync history --source salespro --stream payment/)

    const ack = await runCli(['alerts', 'ack', String(alert.id), '--by', 'oncall', '--json'], env)
    expect(ack.code, ack.stderr).toBe(0)
    expect(JSON.parse(ack.stdout).alert).toMatchObject({ id: alert.id, status: 'acknowledged', acknowledgedBy: 'oncall' })
    const text = await runCli(['alerts', 'list', '--source', 'salespro'], env)
    expect(text.stdout).toMatch(new RegExp(`^${alert.id}\\s+error\\s+acknowledged\\s+sync_success_rate\\s+salespro\\.payment`, 'm'))
  })

  it('alerts test sends through every configured channel and says which worked; a bad configuration exits 2', async () => {
    const hook = await startReceiver()
    const slack = await startReceiver(() => 500)
    try {
      writeConfig({
        alerts: {
          delivery: { attempts: 2, backoffMs: 10 },
          channels: { webhook: { url: hook.url, secret: 'a-webhook-secret-of-some-length' }, slack: { webhookUrl: `${slack.url}/T0/B0/xoxb-secret` } },
        },
      })
      const test = await runCli(['alerts', 'test', '--json'], env)
      expect(test.code, test.stderr).toBe(1)
      const { channels } = JSON.parse(test.stdout)
      expect(channels).toEqual([
        { channel: 'table', status: 'delivered', attempts: 1, error: null },
        { channel: 'log', status: 'delivered', attempts: 1, error: null },
        { channel: 'slack', status: 'failed', attempts: 2, error: expect.stringMatching(/HTTP 500/) },
        { channel: 'webhook', status: 'delivered', attempts: 1, error: null },
      ])
      expect(JSON.parse(hook.requests[0].body)).toMatchObject({ event: 'test', alert: { rule: 'test', status: 'resolved' } })
      expect(test.stdout + test.stderr).not.toContain('xoxb-secret')

      writeConfig({ alerts: { cooldownMinutes: 'soon', channels: { email: { smtp: {}, from: 'nobody', to: [] } } } })
      const bad = await runCli(['alerts', 'test'], env)
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(/alerts\.cooldownMinutes.*alerts\.channels\.email\.smtp\.host.*alerts\.channels\.email\.from/s)
    } finally {
      writeConfig({})
      await hook.close()
      await slack.close()
    }
  })
})
