import { describe, expect, it } from 'vitest'
import { cliEnv, type CliResult } from '../helpers/cli.ts'
import { startCliUntil } from '../helpers/serve-cli.ts'

/**
 * `npm start` as a person runs it: `crmsync demo` syncs the emulators into the embedded
 * warehouse, then serves the dashboard and says how to act from it. Its last lines are what the
 * person acts on, so they are checked as printed, and the token they name is tried on the server.
 */
async function runDemoUntilServing(env: NodeJS.ProcessEnv): Promise<{ stdout: string; url: string; stop(): Promise<CliResult> }> {
  // the line after the dashboard's is the one about its token
  const demo = await startCliUntil(['demo', '--rows', '200'], env, (stdout) => /Dashboard: (\S+)\n.*\n/.exec(stdout)?.[1], 'crmsync demo to serve its dashboard', 5 * 60_000)
  return { stdout: demo.stdout(), url: demo.found, stop: () => demo.stop('SIGINT') }
}

// a state-changing request: the token is checked before the body, so a refused token is 401/403 and an accepted one is not
const trySync = (url: string, token: string) =>
  fetch(new URL('/api/sync', url), {
    method: 'POST',
    headers: { origin: new URL(url).origin, 'content-type': 'application/json', 'x-crmsync-token': token },
    body: JSON.stringify({ source: 'no-such-source' }),
  })

describe('crmsync demo (npm start)', () => {
  it('does not print its session token as [redacted]: off a terminal it says how to choose one instead', async () => {
    const demo = await runDemoUntilServing(cliEnv())
    try {
      const tokenLine = demo.stdout.split('\n').find((l) => /token/i.test(l)) ?? ''
      expect(demo.stdout).not.toContain('[redacted]')
      // a pipe, a CI log: the token is not written where it would be kept
      expect(tokenLine).toContain('CRMSYNC_DASHBOARD_TOKEN')
    } finally {
      expect((await demo.stop()).code).toBe(0)
    }
  })

  it('points to CRMSYNC_DASHBOARD_TOKEN when the token is the user’s own, and the dashboard takes that token', async () => {
    const token = 'demo-test-token-0123456789'
    const demo = await runDemoUntilServing(cliEnv({ CRMSYNC_DASHBOARD_TOKEN: token }))
    try {
      expect(demo.stdout).not.toContain('[redacted]')
      expect(demo.stdout).not.toContain(token)
      expect(demo.stdout.split('\n').find((l) => /token/i.test(l))).toContain('CRMSYNC_DASHBOARD_TOKEN')
      expect((await trySync(demo.url, 'not-the-token-at-all')).status).toBe(403)
      expect([401, 403]).not.toContain((await trySync(demo.url, token)).status)
    } finally {
      expect((await demo.stop()).code).toBe(0)
    }
  })
})
