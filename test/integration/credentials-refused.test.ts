import { describe, expect, it } from 'vitest'
import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { runCli, type CliResult } from '../helpers/cli.ts'
import { output, useThreeSources } from '../helpers/three-sources.ts'

/**
 * The real CLI against emulators that check credentials as the real services do: AWS verifies
 * the SigV4 signature (so a wrong secret with the right key id is refused), HubSpot and
 * SalesRabbit their bearer tokens. Each refusal is a credentials error: exit 2, a message that
 * names the variable to fix, no retries, and never the secret itself.
 */
const WRONG_SECRET = 'wrong-S3CR3T-for-the-right-key-7d41'
const WRONG_HUBSPOT = 'pat-na1-wrong-canary-0b9e'
const WRONG_SALESRABBIT = 'sr-wrong-canary-4c2a'

const sources = useThreeSources(3)
const { envWith } = sources

const stats = async (emulator: RunningEmulator) => (await fetch(`${emulator.url}/_admin/stats`)).json()

function expectRefused(result: CliResult, variable: string, secrets: string[]) {
  expect(result.code, output(result)).toBe(2)
  const [run] = JSON.parse(result.stdout).runs
  expect(run).toMatchObject({ status: 'failed', errorCode: 'auth_failed', fetched: 0 })
  expect(run.error).toContain(variable)
  expect(result.stderr).toContain(variable)
  for (const secret of secrets) expect(output(result)).not.toContain(secret)
}

describe('crmsync sync with credentials the source refuses', () => {
  it('a wrong SALESPRO_SECRET_ACCESS_KEY (the key id is right) exits 2, names it, and is asked once', async () => {
    await fetch(`${sources.salespro.url}/_admin/stats`, { method: 'DELETE' })
    const env = envWith({ ...sources.salespro.env, SALESPRO_SECRET_ACCESS_KEY: WRONG_SECRET })
    const result = await runCli(['sync', 'salespro', 'customer', '--json'], env)
    expectRefused(result, 'SALESPRO_SECRET_ACCESS_KEY', [WRONG_SECRET, sources.salespro.env.SALESPRO_SECRET_ACCESS_KEY])
    expect(JSON.parse(result.stdout).runs[0].error).toMatch(/InvalidSignatureException.*SALESPRO_SECRET_ACCESS_KEY is not the secret of SALESPRO_ACCESS_KEY_ID/)
    // neither the SDK nor the engine retries a refused signature
    const { requests, queries } = await stats(sources.salespro)
    expect(requests).toEqual({ StartQueryExecution: 1 })
    expect(queries).toEqual([])
  })

  it('the same command with the emulator’s own secret syncs', async () => {
    const result = await runCli(['sync', 'salespro', 'customer', '--json'], envWith(sources.salespro.env))
    expect(result.code, output(result)).toBe(0)
    expect(JSON.parse(result.stdout).runs[0]).toMatchObject({ status: 'succeeded', inserted: (await sources.salespro.tables()).customer })
  })

  it('a wrong HUBSPOT_API_TOKEN exits 2 and names it', async () => {
    const result = await runCli(['sync', 'hubspot', 'owners', '--json'], envWith({ ...sources.hubspot.env, HUBSPOT_API_TOKEN: WRONG_HUBSPOT }))
    expectRefused(result, 'HUBSPOT_API_TOKEN', [WRONG_HUBSPOT, sources.hubspot.env.HUBSPOT_API_TOKEN])
    // the connector asks for each object type's properties at once; none of those 401s is retried
    const { requests } = await stats(sources.hubspot)
    expect(Object.keys(requests.byStatus)).toEqual(['401'])
    expect(Object.values(requests.byRoute).every((count) => count === 1)).toBe(true)
  })

  it('a wrong SALESRABBIT_API_TOKEN exits 2 and names it', async () => {
    const result = await runCli(['sync', 'salesrabbit', 'users', '--json'], envWith({ ...sources.salesrabbit.env, SALESRABBIT_API_TOKEN: WRONG_SALESRABBIT }))
    expectRefused(result, 'SALESRABBIT_API_TOKEN', [WRONG_SALESRABBIT, sources.salesrabbit.env.SALESRABBIT_API_TOKEN])
    expect((await stats(sources.salesrabbit)).byRoute).toEqual({ 'GET /users': { 401: 1 } })
  })
})
