import { writeFileSync } from 'node:fs'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEnv, runCli, type CliResult } from '../helpers/cli.ts'
import { startServeCli } from '../helpers/serve-cli.ts'
import { createTestWarehouse, postgresUnavailable, type TestWarehouse } from '../helpers/warehouses.ts'

/**
 * A secret nobody registered, in the shape of a URL's password: SalesRabbit's client refuses a URL
 * with credentials, and the refusal quotes the URL. The password must not come out anywhere: log
 * lines, `history --json`, the stored run and alert records, the dashboard's pages, its API, /metrics.
 */
const PASSWORD = 'UrlPassw0rd'
const reason = postgresUnavailable()

describe('a password inside a source URL is redacted by its shape', () => {
  let db: TestWarehouse
  beforeAll(async () => {
    if (!reason) db = await createTestWarehouse('postgres')
  })
  afterAll(async () => {
    await db?.drop()
  })

  it.skipIf(!!reason)(`from every log line, history, stored record, page and API answer ${reason ?? ''}`, async () => {
    // no waiting between retries: the run fails in a second instead of a minute
    const env = cliEnv({ DATABASE_URL: db.url, CRMSYNC_RETRY_SCALE: '0' })
    writeFileSync(env.CRMSYNC_CONFIG as string, JSON.stringify({ sources: { salesrabbit: { maxAttempts: 1, retryBaseMs: 0 } } }))
    const source = { SALESRABBIT_API_URL: `http://admin:${PASSWORD}@127.0.0.1:1`, SALESRABBIT_API_TOKEN: 'anything-at-all' }
    const outputs: [string, CliResult][] = []
    const run = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
      const result = await runCli(args, { ...env, ...extra })
      outputs.push([args.join(' '), result])
      return result
    }

    const sync = await run(['sync', 'salesrabbit', '--debug'], source)
    expect(sync.code, sync.stderr).toBe(1)
    // the failure is there, and says which URL, only without its password
    expect(sync.stdout).toContain('http://admin:***@127.0.0.1:1/leads')
    await run(['sync', 'salesrabbit', 'users', '--json', '--debug'], source)
    const history = await run(['history', '--json'])
    const runs = JSON.parse(history.stdout).runs as { id: number; status: string; error: string }[]
    expect(runs.length).toBe(3)
    expect(runs.every((r) => r.status === 'failed' && r.error.includes('admin:***@'))).toBe(true)
    await run(['history', '--run', String(runs[0].id), '--json'])
    await run(['status', '--json'])
    await run(['alerts', '--json'])

    const client = new pg.Client({ connectionString: db.url })
    await client.connect()
    try {
      const stored = await client.query<{ text: string }>(
        `SELECT error AS text FROM crmsync.sync_runs UNION ALL SELECT message || ' ' || title || ' ' || details::text FROM crmsync.alerts
         UNION ALL SELECT reason || ' ' || details::text FROM crmsync.automation_events`,
      )
      expect(stored.rows.some((r) => r.text?.includes('admin:***@'))).toBe(true)
      expect(stored.rows.filter((r) => r.text?.includes(PASSWORD))).toEqual([])
    } finally {
      await client.end()
    }

    const server = await startServeCli(env)
    const answers: [string, number, string][] = []
    try {
      const paths = [
        '/monitoring/', '/monitoring/streams', '/monitoring/runs', '/monitoring/charts', '/monitoring/alerts', '/monitoring/data',
        ...runs.map((r) => `/monitoring/runs/${r.id}`), '/monitoring/runs?status=failed',
        '/api/overview', '/api/streams', '/api/sources', '/api/runs', '/api/alerts', '/api/alerts?status=all', ...runs.map((r) => `/api/runs/${r.id}`),
        '/metrics', '/healthz',
      ]
      for (const path of paths) {
        const response = await fetch(server.at(path))
        answers.push([path, response.status, await response.text()])
      }
    } finally {
      outputs.push(['serve', await server.stop()])
    }
    expect(answers.filter(([, status]) => status !== 200).map(([path, status]) => `${path}: ${status}`)).toEqual([])
    // a control: the run's page does show the error, redacted
    expect(answers.find(([path]) => path === `/monitoring/runs/${runs[0].id}`)?.[2]).toContain('admin:***@127.0.0.1:1')
    const leaks = [
      ...outputs.filter(([, r]) => (r.stdout + r.stderr).includes(PASSWORD)).map(([command]) => `output of crmsync ${command}`),
      ...answers.filter(([, , body]) => body.includes(PASSWORD)).map(([path]) => `GET ${path}`),
    ]
    expect(leaks).toEqual([])
  })
})
