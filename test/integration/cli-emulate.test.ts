import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, cliEnv, collect } from '../helpers/cli.ts'

// run as a user runs it, through its #! line: Node 20 would take `--env-file` as its own option
// when crmsync is started as `node bin/crmsync.js …` without `--`
const crmsync = (args: string[]) => spawn(BIN, args, { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] })

const waitFor = async (ready: () => boolean, what: string, deadlineMs = 120_000) => {
  const until = Date.now() + deadlineMs
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('crmsync emulate --env-file', () => {
  it('writes the environment once the emulator answers, as shell a script can source, and removes it on exit', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'crmsync-env-')), 'emulator.env')
    const child = crmsync(['emulate', 'salesrabbit', '--port', '0', '--rows', '10', '--env-file', file])
    const done = collect(child)
    try {
      await waitFor(() => existsSync(file), 'the env file')
      // what a pasted README snippet does: source it, then use the variables
      const sourced = execFileSync('bash', ['-c', `set -a; . '${file}'; set +a; printf '%s\\n' "$SALESRABBIT_API_URL" "$SALESRABBIT_API_TOKEN"`]).toString().trim().split('\n')
      expect(sourced[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+/)
      expect(sourced[1]).not.toBe('')
      // the emulator is ready the moment the file exists: no wait between the two
      expect((await fetch(`${sourced[0]}/_admin/stats`)).ok).toBe(true)
      expect(readFileSync(file, 'utf8')).toMatch(/^SALESRABBIT_API_URL='http/m)
    } finally {
      child.kill('SIGINT')
    }
    const result = await done
    expect(result.code, result.stderr).toBe(0)
    const { env } = JSON.parse(result.stdout.split('\n')[0])
    expect(env.SALESRABBIT_API_URL).toMatch(/^http/)
    expect(existsSync(file)).toBe(false)
  })

  it('a file it cannot write exits 2 naming it, and stops the emulator it started', async () => {
    const result = await collect(crmsync(['emulate', 'salesrabbit', '--port', '0', '--rows', '10', '--env-file', '/proc/no/such/dir/emulator.env']))
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('cannot write --env-file /proc/no/such/dir/emulator.env')
  })
})
