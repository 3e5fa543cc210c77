import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena'
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

describe('crmsync emulate on a default port another holds', () => {
  it('listens on a free port instead and says so; a port asked for and held is refused, exit 2', async () => {
    // the SalesRabbit emulator's default port, held here (or already held by someone else: the same case)
    const holder = createServer()
    await new Promise<void>((resolve) => holder.once('error', () => resolve()).listen(4530, '127.0.0.1', () => resolve()))
    try {
      const child = crmsync(['emulate', 'salesrabbit', '--rows', '10'])
      const done = collect(child)
      let out = ''
      child.stdout?.on('data', (d) => (out += d))
      await waitFor(() => out.includes('\n'), 'the environment line')
      child.kill('SIGINT')
      const result = await done
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toContain('salesrabbit emulator: port 4530 is in use (another emulator?); listening on a free port instead')
      expect(JSON.parse(result.stdout.split('\n')[0]).env.SALESRABBIT_API_URL).not.toContain(':4530')
      const asked = await collect(crmsync(['emulate', 'salesrabbit', '--rows', '10', '--port', '4530']))
      expect(asked.code).toBe(2)
      expect(asked.stderr).toContain('port 4530 is in use; pass --port')
    } finally {
      holder.close()
    }
  })
})

describe('crmsync emulate --query-latency-ms', () => {
  it("keeps each Athena query QUEUED, then RUNNING, for at least that long, as Athena's queue does; its result is there to page", async () => {
    const latencyMs = 1200
    const child = crmsync(['emulate', 'salespro', '--port', '0', '--rows', '10', '--tables', 'customer', '--query-latency-ms', String(latencyMs)])
    const done = collect(child)
    let stdout = ''
    child.stdout?.on('data', (chunk) => (stdout += chunk))
    try {
      await waitFor(() => stdout.includes('\n'), 'the emulator')
      const { env } = JSON.parse(stdout.split('\n')[0])
      const athena = new AthenaClient({
        region: env.SALESPRO_SERVER_REGION,
        endpoint: env.SALESPRO_ATHENA_ENDPOINT,
        credentials: { accessKeyId: env.SALESPRO_ACCESS_KEY_ID, secretAccessKey: env.SALESPRO_SECRET_ACCESS_KEY },
      })
      const started = performance.now()
      const { QueryExecutionId: id } = await athena.send(
        new StartQueryExecutionCommand({ QueryString: 'SELECT * FROM customer', QueryExecutionContext: { Database: env.SALESPRO_DATABASE }, ResultConfiguration: { OutputLocation: env.SALESPRO_S3_LOCATION } }),
      )
      const states: string[] = []
      for (;;) {
        const { QueryExecution: q } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))
        const state = q?.Status?.State ?? '?'
        if (states.at(-1) !== state) states.push(state)
        if (state !== 'QUEUED' && state !== 'RUNNING') break
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(performance.now() - started).toBeGreaterThanOrEqual(latencyMs)
      // in Athena's order (a poll slowed by a busy machine may miss the short QUEUED part), ending SUCCEEDED
      expect(['QUEUED', 'RUNNING', 'SUCCEEDED'].filter((s) => states.includes(s))).toEqual(states)
      expect(states.at(-1)).toBe('SUCCEEDED')
      const page = await athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 5 }))
      expect(page.ResultSet?.Rows?.length).toBe(5)
      athena.destroy()
    } finally {
      child.kill('SIGINT')
    }
    expect((await done).code).toBe(0)
  })

  it('is refused for an emulator whose requests wait in no queue', async () => {
    const result = await collect(crmsync(['emulate', 'hubspot', '--port', '0', '--rows', '10', '--query-latency-ms', '100']))
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--query-latency-ms applies to salespro')
  })
})
