import { rmSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliEnv, runCli } from '../helpers/cli.ts'
import { createTestWarehouse, postgresUnavailable, type TestWarehouse } from '../helpers/warehouses.ts'

const reason = postgresUnavailable()

// commented JSONC, as people write it: the line numbers in the messages are this text's
const MISSPELLED = `// my config
{
  "sources": {
    "salespro": {
      "batchSzie": 500, // line 5
    },
    "hubspot": {
      "limits": { "tier": "starter", "perSecond": 3 }, // line 8
      "customObjects": [{ "objectType": "2-1", "name": "x", "label": "X" }], // line 9
    },
    "salesforce": {}, // line 11
  },
  "worker": { "tickSecond": 1 }, // line 13
}
`

describe('strict configuration', () => {
  it('every unknown key, at any depth, and an unknown source are exit 2 at once, with file, line and what is allowed', async () => {
    const env = cliEnv()
    writeFileSync(env.CRMSYNC_CONFIG as string, MISSPELLED)
    const result = await runCli(['status'], env)
    const file = env.CRMSYNC_CONFIG as string
    expect(result.stderr).toContain(`${file}:5: sources.salespro.batchSzie: unknown key; allowed: enabled, lookbackSeconds, horizonSeconds, batchSize`)
    expect(result.stderr).toContain(`${file}:8: sources.hubspot.limits.perSecond: unknown key; allowed: tier, tenSecondly, searchPerSecond, daily`)
    expect(result.stderr).toContain(`${file}:9: sources.hubspot.customObjects.0.label: unknown key; allowed: objectType, name`)
    expect(result.stderr).toContain(`${file}:11: sources.salesforce: unknown source; crmsync knows salespro, hubspot, salesrabbit`)
    expect(result.stderr).toContain(`${file}:13: worker.tickSecond: unknown key; allowed: maxConcurrentRuns`)
    expect(result.stderr).toMatch(/has 5 problems/)
    expect(result.code).toBe(2)
  })

  it('a CRMSYNC_CONFIG naming a missing file is exit 2 naming it', async () => {
    const env = cliEnv({ CRMSYNC_CONFIG: '/nonexistent/crmsync.json' })
    const result = await runCli(['status'], env)
    expect(result.stderr).toMatch(/CRMSYNC_CONFIG names \/nonexistent\/crmsync\.json, which does not exist/)
    expect(result.code).toBe(2)
  })

  it.skipIf(reason)('init writes the commented default where CRMSYNC_CONFIG points, and it parses', async () => {
    const db = await createTestWarehouse('postgres')
    try {
      const env = cliEnv({ DATABASE_URL: db.url })
      rmSync(env.CRMSYNC_CONFIG as string)
      const init = await runCli(['init'], env)
      expect(init.code, init.stderr).toBe(0)
      const status = await runCli(['status'], env)
      expect(status.code, status.stderr).toBe(0)
    } finally {
      await db.drop()
    }
  })

  it.each([
    [['sync', 'salespro', '--since', '2024-02-30'], /--since 2024-02-30 is not a calendar date/],
    [['sync', 'salespro', '--until', '2024-04-31T10:00:00Z'], /--until 2024-04-31T10:00:00Z is not a calendar date/],
    [['sync', 'salespro', '--since', '2023-02-29'], /--since 2023-02-29 is not a calendar date/],
    [['sync', 'salespro', '--since', '2024-01-01T25:00:00Z'], /--since 2024-01-01T25:00:00Z is not a calendar date/],
  ])('%j: an impossible date is exit 2', async (args, message) => {
    const result = await runCli(args, cliEnv())
    expect(result.stderr).toMatch(message)
    expect(result.code).toBe(2)
  })
})

describe.skipIf(reason)('schedules and history validate their arguments', () => {
  let db: TestWarehouse
  let env: NodeJS.ProcessEnv
  beforeAll(async () => {
    db = await createTestWarehouse('postgres')
    env = cliEnv({ DATABASE_URL: db.url })
  })
  afterAll(async () => db?.drop())

  it.each([
    [['schedule', 'add', 'salespro.nosuch', '--every', '15m'], /salespro has no stream "nosuch"; its streams are customer, credit_application/],
    [['schedule', 'add', 'salesrabbit.contacts', '--every', '15m'], /salesrabbit has no stream "contacts"; its streams are leads, users/],
    [['schedule', 'add', 'hubspot.nosuch', '--every', '15m'], /hubspot has no stream "nosuch"; its streams are contacts, companies, deals, appointments, divisions, genius_users, owners, assoc_contact_appointment/],
    [['schedule', 'add', 'salespro', '--cron', '0 0 3 * * *'], /--cron takes five fields \(minute hour day-of-month month day-of-week\).*"0 0 3 \* \* \*" has 6/],
    [['schedule', 'add', 'salespro', '--cron', '0 3 * *'], /--cron takes five fields/],
    [['history', '--status', 'bogus'], /--status must be one of running, succeeded, partial, failed, cancelled/],
    // arguments a command does not take were ignored: `status salespro` showed every source
    [['history', 'salespro', 'customer'], /history takes its filters as options, not arguments \(got salespro customer\): crmsync history --source salespro --stream customer/],
    [['status', 'salespro'], /Unexpected argument 'salespro'\. This command does not take positional arguments\. Run `crmsync status --help`/],
    [['init', 'now'], /Unexpected argument 'now'.*crmsync init --help/],
    [['demo', 'fast'], /Unexpected argument 'fast'.*crmsync demo --help/],
  ])('%j is exit 2, naming what is allowed, and adds nothing', async (args, message) => {
    const result = await runCli(args, env)
    expect(result.stderr).toMatch(message)
    expect(result.code).toBe(2)
    const { rows } = await db.warehouse.query('SELECT * FROM crmsync.schedules')
    expect(rows).toEqual([])
  })

  it.each([
    ['without credentials', {}],
    // the emulator's address: nothing answers there, and nothing must be asked
    ['with credentials', { SALESPRO_ACCESS_KEY_ID: 'AKIDEXAMPLE1234', SALESPRO_SECRET_ACCESS_KEY: 'secret-example-1234', SALESPRO_S3_LOCATION: 's3://bucket/results/', SALESPRO_ATHENA_ENDPOINT: 'http://127.0.0.1:9' }],
  ])('a sync of a stream the source does not have, %s, is exit 2 naming its streams, and records no run', async (name, credentials) => {
    for (const json of [false, true]) {
      const result = await runCli(['sync', 'salespro', 'nosuch', ...(json ? ['--json'] : [])], { ...env, ...credentials })
      expect(result.code).toBe(2)
      // with credentials the engine answers for the stream, and --json keeps its run summary (runs[0].error)
      const said = name === 'with credentials' && json ? JSON.parse(result.stdout).runs[0].error : result.stderr
      expect(said).toMatch(/salespro has no stream "nosuch"; its streams are customer, credit_application/)
    }
    // a typo is no stream: no failed run under its name in history, status, the dashboard or alerts
    const { rows } = await db.warehouse.query('SELECT source, stream FROM crmsync.sync_runs')
    expect(rows).toEqual([])
  })

  it('a real stream, a hubspot custom object from the config file, and a five-field cron are accepted', async () => {
    writeFileSync(env.CRMSYNC_CONFIG as string, JSON.stringify({ sources: { hubspot: { customObjects: [{ objectType: '2-99', name: 'widgets' }] } } }))
    for (const args of [
      ['schedule', 'add', 'salespro.customer', '--every', '15m'],
      ['schedule', 'add', 'hubspot.widgets', '--every', '1h'],
      ['schedule', 'add', 'salesrabbit', '--cron', '0 3 * * *'],
    ]) {
      const result = await runCli(args, env)
      expect(result.code, result.stderr).toBe(0)
    }
    const history = await runCli(['history', '--status', 'failed'], env)
    expect(history.code, history.stderr).toBe(0)
  })
})
