import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHubSpotEmulator } from '../../emulators/hubspot/index.ts'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { SOURCE_NAMES } from '../../src/connectors/registry.ts'
import { cliEnv, runCli, type CliResult } from '../helpers/cli.ts'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { startSalesRabbit, type SalesRabbitFixture } from '../helpers/salesrabbit.ts'
import { dumpDatabase, findLeaks, findLeaksInFiles, keyCanary, textCanary, type Canary } from '../helpers/secrets.ts'
import { createEmptyDatabase, postgresUnavailable } from '../helpers/warehouses.ts'

/**
 * Known secrets go in through every path crmsync has (credentials set/list/rotate, successful and
 * refused syncs, config errors, --debug logs, status, history, sql), and then every byte crmsync
 * wrote is searched for them: stdout and stderr of every command, every file under CRMSYNC_HOME
 * (binary-safe: PGlite pages, lock files, keys), the config file, and a data dump of the whole
 * database (crmsync's tables and the sources' schemas). A master key may appear only in its file.
 */
const reason = postgresUnavailable()
const hex = (n: number) => randomBytes(n).toString('hex')

const SECRET_ACCESS_KEY = `canary-S3CR3T-${hex(8)}`
const WRONG_ACCESS_KEY = `AKIACANARY${hex(6).toUpperCase()}`
const WRONG_SECRET_ACCESS_KEY = `canary-wrong-S3CR3T-${hex(8)}`
const HUBSPOT_TOKEN = `pat-na1-canary-${hex(8)}`
const SALESRABBIT_TOKEN = `sr-canary-token-${hex(8)}`
const WRONG_SALESRABBIT_TOKEN = `sr-wrong-canary-${hex(8)}`
const MALFORMED_MASTER_KEY = `malformed-master-key-canary-${hex(4)}`

describe('no secret leaks into output, files or the database', () => {
  let salespro: SalesProFixture
  let salesrabbit: SalesRabbitFixture
  let hubspot: RunningEmulator
  const hubspotRegistered = SOURCE_NAMES.includes('hubspot')
  beforeAll(async () => {
    const help = await runCli(['credentials', '--help'], cliEnv())
    if (help.code !== 0) throw new Error(`\`crmsync credentials\` is not wired into src/cli/main.ts yet (exit ${help.code})`)
    // the emulator verifies signatures: it must hold the secret the canary stores
    salespro = await startSalesPro({ rows: 40, seed: 3, secretAccessKey: SECRET_ACCESS_KEY })
    salesrabbit = await startSalesRabbit({ rows: 50, token: SALESRABBIT_TOKEN })
    hubspot = await startHubSpotEmulator({ rows: 20, seed: 2, token: HUBSPOT_TOKEN, limits: { tenSecondly: 5_000, searchPerSecond: 200 } })
  })
  afterAll(async () => {
    await salespro?.emulator.close()
    await salesrabbit?.emulator.close()
    await hubspot?.close()
  })

  it.skipIf(!!reason)(`with the key file under CRMSYNC_HOME ${reason ?? ''}`, async () => {
    const db = await createEmptyDatabase()
    try {
      const env = cliEnv({ DATABASE_URL: db.url })
      const home = env.CRMSYNC_HOME as string
      const outputs: [string, CliResult][] = []
      const run = async (args: string[], extra: NodeJS.ProcessEnv = {}, expected?: number) => {
        const result = await runCli(args, { ...env, ...extra })
        outputs.push([args.join(' '), result])
        if (expected !== undefined) expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(expected)
        return result
      }
      const salesproEndpoints = { SALESPRO_ATHENA_ENDPOINT: salespro.emulator.env.SALESPRO_ATHENA_ENDPOINT, SALESPRO_S3_ENDPOINT: salespro.emulator.env.SALESPRO_S3_ENDPOINT }
      const salesrabbitEndpoint = { SALESRABBIT_API_URL: salesrabbit.emulator.env.SALESRABBIT_API_URL }
      const hubspotEndpoint = { HUBSPOT_BASE_URL: hubspot.env.HUBSPOT_BASE_URL }
      const endpoints = { ...salesproEndpoints, ...salesrabbitEndpoint, ...hubspotEndpoint }

      await run(['init'], {}, 0)
      await run(['init', '--json'], {}, 0)
      const firstKey = Buffer.from(readFileSync(join(home, 'master.key'), 'utf8').trim(), 'base64')

      await run(['credentials', 'set', 'salespro', '--from-env', '--debug'], { ...salespro.emulator.env, SALESPRO_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY }, 0)
      await run(['credentials', 'set', 'salesrabbit', '--from-env', '--json', '--debug'], { SALESRABBIT_API_TOKEN: SALESRABBIT_TOKEN }, 0)
      await run(['credentials', 'set', 'hubspot', '--from-env', '--json'], { HUBSPOT_API_TOKEN: HUBSPOT_TOKEN }, 0)
      await run(['credentials', 'set', 'salespro'], {}, 2) // not a terminal
      await run(['credentials', 'list', '--debug'], {}, 0)
      await run(['credentials', 'list', '--json', '--debug'], {}, 0)

      // successful syncs, every secret from the store
      const good = await run(['sync', 'salespro', '--json', '--debug'], salesproEndpoints, 0)
      expect(JSON.parse(good.stdout).runs.every((r: { status: string }) => r.status === 'succeeded')).toBe(true)
      await run(['sync', 'salespro', 'customer', '--debug'], salesproEndpoints, 0)
      await run(['sync', 'salesrabbit', '--json', '--debug'], salesrabbitEndpoint, 0)
      // refused credentials: the environment's wrong access key wins over the stored one
      const refused = await run(['sync', 'salespro', 'payment', '--json', '--debug'], { ...salesproEndpoints, SALESPRO_ACCESS_KEY_ID: WRONG_ACCESS_KEY }, 2)
      expect(JSON.parse(refused.stdout).runs[0]).toMatchObject({ status: 'failed', errorCode: 'auth_failed' })
      // the right key id with the wrong secret: the signature is refused, and AWS's explanation names neither
      const unsigned = await run(['sync', 'salespro', 'payment', '--json', '--debug'], { ...salesproEndpoints, SALESPRO_SECRET_ACCESS_KEY: WRONG_SECRET_ACCESS_KEY }, 2)
      expect(JSON.parse(unsigned.stdout).runs[0]).toMatchObject({ status: 'failed', errorCode: 'auth_failed' })
      await run(['sync', 'salesrabbit', 'users', '--json', '--debug'], { ...salesrabbitEndpoint, SALESRABBIT_API_TOKEN: WRONG_SALESRABBIT_TOKEN }, 2)
      // configuration errors with stored tokens in play
      await run(['sync', 'salesrabbit', '--json', '--debug'], { SALESRABBIT_API_URL: 'not a url' }, 2)
      await run(['sync', 'salespro', '--json'], { SALESPRO_S3_LOCATION: 'not-a-bucket' }, 2)
      // HubSpot: synced when its connector is registered, otherwise refused as unknown (its token is still stored)
      await run(['sync', 'hubspot', 'owners', 'contacts', '--json', '--debug'], hubspotEndpoint, hubspotRegistered ? 0 : 2)
      await run(['sync', 'hubspot', '--json', '--debug'], { HUBSPOT_BASE_URL: 'not a url' }, 2)
      await run(['sync', '--all', '--json', '--debug'], endpoints)

      await run(['credentials', 'rotate-key', '--debug'], {}, 0)
      await run(['credentials', 'rotate-key', '--json', '--debug'], {}, 0)
      const lastKey = Buffer.from(readFileSync(join(home, 'master.key'), 'utf8').trim(), 'base64')
      await run(['sync', 'salespro', 'customer', '--json', '--debug'], salesproEndpoints, 0)

      await run(['status', '--json', '--debug'], {}, 0)
      await run(['status'], {}, 0)
      const history = await run(['history', '--json', '--limit', '100'], {}, 0)
      const failed = JSON.parse(history.stdout).runs.find((r: { status: string }) => r.status === 'failed')
      expect(failed).toBeDefined()
      await run(['history', '--run', String(failed.id), '--json'], {}, 0)
      await run(['history'], {}, 0)
      await run(['sql', 'SELECT * FROM crmsync.credentials', '--json'], {}, 0)
      await run(['credentials', 'list', '--debug'], { CRMSYNC_MASTER_KEY: MALFORMED_MASTER_KEY }, 2)
      await run(['sync', 'salespro', '--json'], { CRMSYNC_MASTER_KEY: MALFORMED_MASTER_KEY }, 2)

      const canaries = [
        textCanary('SalesPro secret access key', SECRET_ACCESS_KEY),
        textCanary('SalesPro access key id (stored)', salespro.emulator.env.SALESPRO_ACCESS_KEY_ID),
        textCanary('SalesPro access key id (refused)', WRONG_ACCESS_KEY),
        textCanary('SalesPro secret access key (refused)', WRONG_SECRET_ACCESS_KEY),
        textCanary('HubSpot token', HUBSPOT_TOKEN),
        textCanary('SalesRabbit token', SALESRABBIT_TOKEN),
        textCanary('SalesRabbit token (refused)', WRONG_SALESRABBIT_TOKEN),
        textCanary('malformed CRMSYNC_MASTER_KEY', MALFORMED_MASTER_KEY),
        keyCanary('first master key', firstKey),
        keyCanary('current master key', lastKey),
      ]
      expect(assertSearchWorks(canaries)).toBe(canaries.length)
      const dump = await dumpDatabase(db.url)
      // the dump really holds the data: sealed credentials and synced rows
      expect(dump.text).toMatch(/crmsync\.credentials/)
      expect(dump.text).toMatch(/salesrabbit\.leads/)
      const leaks = [
        ...outputs.flatMap(([command, r]) => findLeaks(r.stdout + r.stderr, canaries, `output of \`crmsync ${command}\``)),
        ...findLeaksInFiles(home, canaries, (file, canary) => file === 'master.key' && canary === 'current master key'),
        ...findLeaks(readFileSync(env.CRMSYNC_CONFIG as string), canaries, 'the config file'),
        ...findLeaks(dump.text, canaries, `the database (${dump.how})`),
      ]
      expect(leaks).toEqual([])
    } finally {
      await db.drop()
    }
  }, 300_000) // some thirty CLI commands: two minutes is not enough on a busy two-core machine

  it.skipIf(!!reason)(`with CRMSYNC_MASTER_KEY, whose rotation leaves the new key only in master.key.new ${reason ?? ''}`, async () => {
    const db = await createEmptyDatabase()
    try {
      const masterKey = randomBytes(32)
      const env = cliEnv({ DATABASE_URL: db.url, CRMSYNC_MASTER_KEY: masterKey.toString('hex') })
      const home = env.CRMSYNC_HOME as string
      const results: CliResult[] = []
      const run = async (args: string[], extra: NodeJS.ProcessEnv, expected: number) => {
        const result = await runCli(args, { ...env, ...extra })
        results.push(result)
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(expected)
        return result
      }
      const init = await run(['init', '--json'], {}, 0)
      expect(JSON.parse(init.stdout).existing).toContain('master key (CRMSYNC_MASTER_KEY)')
      await run(['credentials', 'set', 'salesrabbit', '--from-env', '--debug'], { SALESRABBIT_API_TOKEN: SALESRABBIT_TOKEN }, 0)
      const rotated = await run(['credentials', 'rotate-key', '--debug'], {}, 0)
      expect(rotated.stdout).toMatch(/Set CRMSYNC_MASTER_KEY from that file/)
      await run(['credentials', 'rotate-key', '--json'], {}, 2) // not finished yet
      const newKey = Buffer.from(readFileSync(join(home, 'master.key.new'), 'utf8').trim(), 'base64')
      // the old variable still opens the store through the file until the operator copies it
      await run(['sync', 'salesrabbit', '--json', '--debug'], { SALESRABBIT_API_URL: salesrabbit.emulator.env.SALESRABBIT_API_URL }, 0)
      await run(['credentials', 'list', '--json', '--debug'], { CRMSYNC_MASTER_KEY: newKey.toString('base64') }, 0)

      const canaries = [textCanary('SalesRabbit token', SALESRABBIT_TOKEN), keyCanary('CRMSYNC_MASTER_KEY', masterKey), keyCanary('rotated key', newKey)]
      const leaks = [
        ...results.flatMap((r) => findLeaks(r.stdout + r.stderr, canaries, 'output')),
        ...findLeaksInFiles(home, canaries, (file, canary) => file === 'master.key.new' && canary === 'rotated key'),
        ...findLeaks((await dumpDatabase(db.url)).text, canaries, 'the database'),
      ]
      expect(leaks).toEqual([])
    } finally {
      await db.drop()
    }
  })

  it('with the embedded warehouse: no file under CRMSYNC_HOME, its database pages included, holds a secret', async () => {
    const env = cliEnv()
    const home = env.CRMSYNC_HOME as string
    const results: CliResult[] = []
    const run = async (args: string[], extra: NodeJS.ProcessEnv, expected: number) => {
      const result = await runCli(args, { ...env, ...extra })
      results.push(result)
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(expected)
      return result
    }
    const endpoints = { SALESPRO_ATHENA_ENDPOINT: salespro.emulator.env.SALESPRO_ATHENA_ENDPOINT, SALESPRO_S3_ENDPOINT: salespro.emulator.env.SALESPRO_S3_ENDPOINT }
    await run(['init'], {}, 0)
    await run(['credentials', 'set', 'salespro', '--from-env', '--debug'], { ...salespro.emulator.env, SALESPRO_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY }, 0)
    await run(['sync', 'salespro', 'customer', 'payment', '--json', '--debug'], endpoints, 0)
    await run(['sync', 'salespro', 'estimate', '--json', '--debug'], { ...endpoints, SALESPRO_ACCESS_KEY_ID: WRONG_ACCESS_KEY }, 2)
    await run(['credentials', 'rotate-key', '--json', '--debug'], {}, 0)
    await run(['credentials', 'list', '--json'], {}, 0)
    const key = Buffer.from(readFileSync(join(home, 'master.key'), 'utf8').trim(), 'base64')
    const canaries = [
      textCanary('SalesPro secret access key', SECRET_ACCESS_KEY),
      textCanary('SalesPro access key id (stored)', salespro.emulator.env.SALESPRO_ACCESS_KEY_ID),
      textCanary('SalesPro access key id (refused)', WRONG_ACCESS_KEY),
      keyCanary('master key', key),
    ]
    // a control: the search does see the warehouse's pages, where a synced customer id is found
    const sample = await runCli(['sql', 'SELECT max(customer_id) AS id FROM salespro.customer', '--json'], env)
    const [{ id }] = JSON.parse(sample.stdout).rows
    expect(findLeaksInFiles(home, [textCanary('a synced customer id', id)]).some((l) => l.where.startsWith('file pgdata/'))).toBe(true)
    const leaks = [
      ...results.flatMap((r) => findLeaks(r.stdout + r.stderr, canaries, 'output')),
      ...findLeaksInFiles(home, canaries, (file, canary) => file === 'master.key' && canary === 'master key'),
    ]
    expect(leaks).toEqual([])
  }, 300_000) // a dozen CLI commands, each opening the embedded warehouse
})

/** A positive control: the search finds each canary when it is there, so an empty result means something. */
function assertSearchWorks(canaries: Canary[]): number {
  return canaries.filter((c) => findLeaks(Buffer.concat([Buffer.from('x'), c.forms[0].bytes, Buffer.from('y')]), [c], 'control').length > 0).length
}
