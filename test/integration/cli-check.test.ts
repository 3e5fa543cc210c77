import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import { output, useThreeSources } from '../helpers/three-sources.ts'

/**
 * `crmsync check` end to end: the real binary against the three emulators, which check
 * credentials as the real services do. A refusal names the variable to fix and never its value.
 */
const WRONG_SECRET = 'wrong-S3CR3T-for-check-5e21'
const WRONG_HUBSPOT = 'pat-na1-wrong-check-canary-77aa'
const WRONG_SALESRABBIT = 'sr-wrong-check-canary-31fe'

const sources = useThreeSources(4)
const { envWith, allThree } = sources

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
    const result = await runCli(['check', '--all', '--json'], envWith(sources.hubspot.env))
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
    const { HUBSPOT_API_TOKEN: _token, ...hubspotWithoutToken } = sources.hubspot.env
    const result = await runCli(['check', 'hubspot', 'salesrabbit'], envWith({ ...hubspotWithoutToken, ...sources.salesrabbit.env }))
    expect(result.code, output(result)).toBe(2)
    expect(result.stderr).toContain('HUBSPOT_API_TOKEN is not set')
    expect(result.stdout).toContain('✓ salesrabbit')
  })

  it('an unreachable source exits 1 with the reason', async () => {
    const result = await runCli(['check', 'salesrabbit'], envWith({ ...sources.salesrabbit.env, SALESRABBIT_API_URL: 'http://127.0.0.1:9' }))
    expect(result.code, output(result)).toBe(1)
    expect(result.stderr).toMatch(/✗ salesrabbit: .+/)
  })

  it('an unknown source exits 2 and lists the sources there are', async () => {
    const result = await runCli(['check', 'constructor'], envWith({}))
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('salespro, hubspot, salesrabbit')
  })
})
