import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, renameSync, statSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { BIN, cliEnv, runCli } from '../helpers/cli.ts'
import { startSalesPro, type SalesProFixture } from '../helpers/salespro.ts'
import { dumpDatabase, findLeaks, findLeaksInFiles, textCanary } from '../helpers/secrets.ts'
import { createEmptyDatabase, postgresUnavailable } from '../helpers/warehouses.ts'

/**
 * `crmsync credentials` and `crmsync init` end to end, through the real binary. These need the
 * wiring in src/cli/main.ts (the `credentials` command), src/cli/commands/init.ts (master key and
 * default config) and src/cli/context.ts (loadTarget reads the store): see the credentials report.
 */
const reason = postgresUnavailable()
const SALESPRO_VARIABLES = ['SALESPRO_ACCESS_KEY_ID', 'SALESPRO_SECRET_ACCESS_KEY', 'SALESPRO_S3_LOCATION', 'SALESPRO_SERVER_REGION', 'SALESPRO_DATABASE']

const without = (env: NodeJS.ProcessEnv, names: string[]) => Object.fromEntries(Object.entries(env).filter(([k]) => !names.includes(k)))
const SECRET = `canary-S3CR3T-${randomBytes(8).toString('hex')}`
const keyFile = (env: NodeJS.ProcessEnv) => join(env.CRMSYNC_HOME as string, 'master.key')

describe('crmsync credentials (CLI)', () => {
  let source: SalesProFixture
  beforeAll(async () => {
    const help = await runCli(['credentials', '--help'], cliEnv())
    if (help.code !== 0) {
      throw new Error(`\`crmsync credentials\` is not wired into src/cli/main.ts yet (exit ${help.code}: ${help.stderr.split('\n')[0]})`)
    }
    // the emulator verifies signatures: it holds the canary secret the acceptance test stores
    source = await startSalesPro({ rows: 60, seed: 9, secretAccessKey: SECRET })
  })
  afterAll(async () => {
    await source?.emulator.close()
  })

  it.each([
    [['credentials'], {}, /name an action: set, list, delete, rotate-key/],
    [['credentials', 'frob'], {}, /unknown action "frob"; the actions are set, list, delete, rotate-key/],
    [['credentials', 'set'], {}, /`credentials set` takes one source \(salespro, hubspot, salesrabbit\)/],
    [['credentials', 'delete', 'a', 'b'], {}, /`credentials delete` takes one source/],
    [['credentials', 'set', 'nosuch', '--from-env'], {}, /unknown source "nosuch"; credentials can be stored for salespro, hubspot, salesrabbit/],
    [['credentials', 'list', 'extra'], {}, /`credentials list` takes no arguments, not "extra"/],
    [['credentials', 'list', '--from-env'], {}, /--from-env goes with `credentials set <source>`/],
    [['credentials', 'set', 'salespro', '--bogus'], {}, /Unknown option '--bogus'/],
    [['credentials', 'set', 'salespro', '--from-env'], {}, /storing the credentials of salespro needs a master key, and there is none: run `crmsync init`/],
    [['credentials', 'set', 'salespro'], { CRMSYNC_MASTER_KEY: randomBytes(32).toString('hex') }, /standard input is not a terminal.*crmsync credentials set salespro --from-env/],
    [['credentials', 'list'], { CRMSYNC_MASTER_KEY: 'wrong-format-master-key-canary' }, /CRMSYNC_MASTER_KEY must be 32 random bytes written as base64 \(44 characters\) or hex \(64 digits\)/],
  ])('bad usage %j exits 2 with a message naming the problem', async (args, extra, message) => {
    const result = await runCli(args, cliEnv(extra))
    expect(result.code, result.stderr).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stderr + result.stdout).not.toContain('wrong-format-master-key-canary')
  })

  it.skipIf(!!reason)(`acceptance: init twice, credentials set --from-env, then a sync with the variables unset ${reason ?? ''}`, async () => {
    const db = await createEmptyDatabase()
    try {
      const secret = SECRET
      const env = cliEnv({ DATABASE_URL: db.url })
      // cliEnv writes an empty config; init is the one command that writes the commented default itself
      rmSync(env.CRMSYNC_CONFIG as string)
      const first = await runCli(['init'], env)
      expect(first.code, first.stderr).toBe(0)
      expect(first.stdout).toMatch(new RegExp(`created: .*master key ${keyFile(env)}, config ${env.CRMSYNC_CONFIG}`))
      expect(statSync(keyFile(env)).mode & 0o777).toBe(0o600)
      expect(loadConfig({ CRMSYNC_CONFIG: env.CRMSYNC_CONFIG }).configFileFound).toBe(true)
      const keyText = readFileSync(keyFile(env), 'utf8').trim()
      expect(first.stdout + first.stderr).not.toContain(keyText)
      const second = await runCli(['init'], env)
      expect(second.stdout).toMatch(/nothing new was created: everything already existed/)
      expect(second.stdout).toMatch(/already there: .*master key .*master\.key, config /)
      expect(JSON.parse((await runCli(['init', '--json'], env)).stdout).created).toEqual([])

      const set = await runCli(['credentials', 'set', 'salespro', '--from-env', '--json'], { ...env, ...source.emulator.env, SALESPRO_SECRET_ACCESS_KEY: secret })
      expect(set.code, set.stderr).toBe(0)
      expect(JSON.parse(set.stdout)).toMatchObject({ source: 'salespro', stored: [...SALESPRO_VARIABLES].sort(), kept: [] })

      const list = await runCli(['credentials', 'list'], env)
      expect(list.code, list.stderr).toBe(0)
      expect(list.stdout).toMatch(/salespro\s+SALESPRO_ACCESS_KEY_ID\s+\*{8}/)
      expect(list.stdout).toMatch(/SALESPRO_SECRET_ACCESS_KEY\s+\*{8}/)
      expect(list.stdout).toContain(source.emulator.env.SALESPRO_S3_LOCATION)

      const endpointsOnly: NodeJS.ProcessEnv = { ...env, SALESPRO_ATHENA_ENDPOINT: source.emulator.env.SALESPRO_ATHENA_ENDPOINT, SALESPRO_S3_ENDPOINT: source.emulator.env.SALESPRO_S3_ENDPOINT }
      for (const name of SALESPRO_VARIABLES) expect(endpointsOnly[name]).toBeUndefined()
      const sync = await runCli(['sync', 'salespro', '--json'], endpointsOnly)
      expect(sync.code, sync.stderr + sync.stdout).toBe(0)
      const { runs } = JSON.parse(sync.stdout)
      const tables = await source.emulator.tables()
      expect(runs).toHaveLength(7)
      for (const run of runs) expect(run).toMatchObject({ status: 'succeeded', inserted: tables[run.stream] })
      expect(sync.stderr).not.toMatch(/no credential store is set up/)

      const canaries = [textCanary('secret access key', secret)]
      const leaks = [
        ...findLeaks(first.stdout + first.stderr + set.stdout + set.stderr + list.stdout + list.stderr + sync.stdout + sync.stderr, canaries, 'output'),
        ...findLeaksInFiles(env.CRMSYNC_HOME as string, canaries),
        ...findLeaks(readFileSync(env.CRMSYNC_CONFIG as string), canaries, 'config file'),
        ...findLeaks((await dumpDatabase(db.url)).text, canaries, 'database'),
      ]
      expect(leaks).toEqual([])

      // the key file gone: stored rows with nothing to open them are a config error naming the key
      renameSync(keyFile(env), `${keyFile(env)}.moved`)
      const lost = await runCli(['sync', 'salespro', 'customer'], endpointsOnly)
      expect(lost.code).toBe(2)
      expect(lost.stderr).toMatch(/the credentials of salespro are stored encrypted in crmsync.credentials, but the master key that opens them is missing: set CRMSYNC_MASTER_KEY, or restore .*master\.key/)
      renameSync(`${keyFile(env)}.moved`, keyFile(env))

      // a key file others can read is refused
      chmodSync(keyFile(env), 0o644)
      const open = await runCli(['credentials', 'list'], env)
      expect(open.code).toBe(2)
      expect(open.stderr).toMatch(/can be read by group or others \(mode 0644\): a master key must be private to its owner. Run `chmod 600/)
      chmodSync(keyFile(env), 0o600)

      // nothing in the environment for --from-env
      const none = await runCli(['credentials', 'set', 'hubspot', '--from-env'], env)
      expect(none.code).toBe(2)
      expect(none.stderr).toMatch(/--from-env found none of HUBSPOT_API_TOKEN in the environment: nothing was stored for hubspot/)
      // a value the connector refuses is not stored
      const bad = await runCli(['credentials', 'set', 'salespro', '--from-env'], { ...env, SALESPRO_S3_LOCATION: 'not-a-bucket' })
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(/SALESPRO_S3_LOCATION must look like s3:\/\/bucket\/prefix\/: nothing was stored/)

      const rotate = await runCli(['credentials', 'rotate-key', '--json'], env)
      expect(rotate.code, rotate.stderr).toBe(0)
      expect(JSON.parse(rotate.stdout)).toMatchObject({ outcome: 'replaced', sources: ['salespro'], keyFile: keyFile(env) })
      expect(readFileSync(keyFile(env), 'utf8').trim()).not.toBe(keyText)
      const again = await runCli(['sync', 'salespro', 'customer', '--json'], endpointsOnly)
      expect(again.code, again.stderr).toBe(0)

      const deleted = await runCli(['credentials', 'delete', 'salespro'], env)
      expect(deleted.stdout).toMatch(/deleted the stored credentials of salespro/)
      expect((await runCli(['credentials', 'delete', 'salespro', '--json'], env)).stdout).toMatch(/"deleted": false/)
      const gone = await runCli(['sync', 'salespro', 'customer'], endpointsOnly)
      expect(gone.code).toBe(2)
      expect(gone.stderr).toMatch(/SALESPRO_SECRET_ACCESS_KEY is not set/)
    } finally {
      await db.drop()
    }
  })

  it.skipIf(!!reason)(`without a master key, credentials come from the environment, said in one log line ${reason ?? ''}`, async () => {
    const db = await createEmptyDatabase()
    try {
      const env = cliEnv({ DATABASE_URL: db.url, ...source.emulator.env })
      const sync = await runCli(['sync', 'salespro', 'customer', 'payment', '--json'], env)
      expect(sync.code, sync.stderr).toBe(0)
      const lines = sync.stderr.split('\n').filter((l) => l.includes('no credential store is set up'))
      expect(lines).toHaveLength(1)
      expect(existsSync(keyFile(env))).toBe(false)
    } finally {
      await db.drop()
    }
  })

  const hasScript = spawnSync('script', ['--version']).status === 0
  it.skipIf(!hasScript)('set prompts on a terminal without echo; a blank answer keeps the stored value', async () => {
    // PostgreSQL when there is one: each PGlite start costs seconds, and this test starts four processes
    const db = reason ? undefined : await createEmptyDatabase()
    try {
      await promptsWithoutEcho(cliEnv({ DATABASE_URL: db?.url }))
    } finally {
      await db?.drop()
    }
  })
})

async function promptsWithoutEcho(env: NodeJS.ProcessEnv): Promise<void> {
  expect((await runCli(['init'], env)).code).toBe(0)
  const token = `typed-canary-${randomBytes(6).toString('hex')}`
  const first = await typeInto(['credentials', 'set', 'salesrabbit'], env, [token])
  expect(first.code, first.output).toBe(0)
  expect(first.output).toMatch(/SALESRABBIT_API_TOKEN: /)
  expect(first.output).toMatch(/salesrabbit: stored SALESRABBIT_API_TOKEN/)
  expect(first.output).not.toContain(token)
  const second = await typeInto(['credentials', 'set', 'salesrabbit'], env, [''])
  expect(second.output).toMatch(/SALESRABBIT_API_TOKEN \[stored\]: /)
  expect(second.output).toMatch(/salesrabbit: stored nothing new; kept SALESRABBIT_API_TOKEN/)
  const list = await runCli(['credentials', 'list', '--json'], env)
  expect(JSON.parse(list.stdout).credentials).toMatchObject([{ source: 'salesrabbit', variables: [{ name: 'SALESRABBIT_API_TOKEN', secret: true, value: null }] }])
  expect(list.stdout).not.toContain(token)
}

/** Runs crmsync on a pseudo-terminal (util-linux `script`), answering each prompt once it is shown. */
function typeInto(args: string[], env: NodeJS.ProcessEnv, answers: string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ')
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  let asked = 0
  const onData = (data: Buffer) => {
    output += data
    // a prompt ends with ": " and waits; it is answered once it is on screen, when raw mode is on
    if (output.endsWith(': ') && asked < answers.length) child.stdin.write(`${answers[asked++]}\r`)
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  return new Promise((resolve) => {
    // a hang guard (the prompts are answered as they appear), below vitest's own
    const timer = setTimeout(() => child.kill('SIGKILL'), 480_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}
