import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHubSpotEmulator } from '../../emulators/hubspot/index.ts'
import { startSalesProEmulator } from '../../emulators/salespro/index.ts'
import { startSalesRabbitEmulator } from '../../emulators/salesrabbit/index.ts'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { cliEnv, runCli, type CliResult } from '../helpers/cli.ts'
import { createEmptyDatabase, postgresUnavailable } from '../helpers/warehouses.ts'

/**
 * `crmsync check` end to end: the real binary against the three emulators, which check
 * credentials as the real services do. A refusal names the variable to fix and never its value.
 */
const WRONG_SECRET = 'wrong-S3CR3T-for-check-5e21'
const WRONG_HUBSPOT = 'pat-na1-wrong-check-canary-77aa'
const WRONG_SALESRABBIT = 'sr-wrong-check-canary-31fe'

let salespro: RunningEmulator
let hubspot: RunningEmulator
let salesrabbit: RunningEmulator
let database: { url: string; drop(): Promise<void> } | undefined
let base: NodeJS.ProcessEnv

beforeAll(async () => {
  database = postgresUnavailable() ? undefined : await createEmptyDatabase()
  base = cliEnv({ DATABASE_URL: database?.url })
  ;[salespro, hubspot, salesrabbit] = await Promise.all([
    startSalesProEmulator({ rows: 10, seed: 4, only: ['customer'] }),
    startHubSpotEmulator({ rows: 10, seed: 4 }),
    startSalesRabbitEmulator({ rows: 10, seed: 4 }),
  ])
})
afterAll(async () => {
  await Promise.all([salespro?.close(), hubspot?.close(), salesrabbit?.close(), database?.drop()])
})

const envWith = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ ...base, ...extra })
const allThree = () => envWith({ ...salespro.env, ...hubspot.env, ...salesrabbit.env })
const output = (r: CliResult) => r.stdout + r.stderr

describe('crmsync check', () => {
  it('with no source checks every configured one: one ✓ line each, exit 0', async () => {
    const result = await runCli(['check'], allThree())
    expect(result.code, output(result)).toBe(0)
    expect(result.stdout.trim().split('\n')).toEqual([
      '✓ salespro: credentials accepted, Athena reachable (database home_genius_db)',
      '✓ hubspot: credentials accepted, CRM API reachable',
      '✓ salesrabbit: credentials accepted, REST API reachable',
    ])
  })

  it('--json gives one entry per source; a source with no credentials at all is skipped', async () => {
    const result = await runCli(['check', '--all', '--json'], envWith(hubspot.env))
    expect(result.code, output(result)).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ sources: [{ source: 'hubspot', ok: true, detail: 'CRM API reachable' }] })
    expect(result.stderr).toContain('salespro: not configured, skipped')
  })

  it.each([
    ['salespro', 'SALESPRO_SECRET_ACCESS_KEY', WRONG_SECRET],
    ['hubspot', 'HUBSPOT_API_TOKEN', WRONG_HUBSPOT],
    ['salesrabbit', 'SALESRABBIT_API_TOKEN', WRONG_SALESRABBIT],
  ])('a refused %s credential exits 2, names %s and never prints the value', async (source, variable, wrong) => {
    const env = { ...allThree(), [variable]: wrong }
    const result = await runCli(['check', source], env)
    expect(result.code, output(result)).toBe(2)
    expect(result.stderr).toMatch(new RegExp(`✗ ${source}: .*${variable}`))
    expect(output(result)).not.toContain(wrong)
    const json = await runCli(['check', source, '--json'], env)
    expect(json.code).toBe(2)
    expect(JSON.parse(json.stdout).sources).toMatchObject([{ source, ok: false, code: 'auth_failed' }])
    expect(output(json)).not.toContain(wrong)
  })

  it('a missing credential exits 2 naming it; the other sources are still checked', async () => {
    const { HUBSPOT_API_TOKEN: _token, ...hubspotWithoutToken } = hubspot.env
    const result = await runCli(['check', 'hubspot', 'salesrabbit'], envWith({ ...hubspotWithoutToken, ...salesrabbit.env }))
    expect(result.code, output(result)).toBe(2)
    expect(result.stderr).toContain('HUBSPOT_API_TOKEN is not set')
    expect(result.stdout).toContain('✓ salesrabbit')
  })

  it('an unreachable source exits 1 with the reason', async () => {
    const result = await runCli(['check', 'salesrabbit'], envWith({ ...salesrabbit.env, SALESRABBIT_API_URL: 'http://127.0.0.1:9' }))
    expect(result.code, output(result)).toBe(1)
    expect(result.stderr).toMatch(/✗ salesrabbit: .+/)
  })

  it('an unknown source exits 2 and lists the sources there are', async () => {
    const result = await runCli(['check', 'constructor'], base)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('salespro, hubspot, salesrabbit')
  })
})
