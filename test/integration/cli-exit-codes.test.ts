import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { cliEnv, runCli } from '../helpers/cli.ts'
import { postgresUnavailable } from '../helpers/warehouses.ts'
import { withDatabase } from '../global-setup.ts'

const reason = postgresUnavailable()
const isRoot = process.getuid?.() === 0

// every command that opens the warehouse, with arguments that are otherwise fine
const COMMANDS = [['status'], ['history'], ['init'], ['sql', 'select 1'], ['schedule', 'list'], ['sync', 'salespro'], ['serve', '--port', '0'], ['worker']]

describe('an unusable CRMSYNC_HOME', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'crmsync-home-'))
  const aFile = join(scratch, 'a-file')
  writeFileSync(aFile, 'not a directory')

  it.each([
    // /proc refuses new directories with ENOENT, which made mkdir -p loop forever at 100% CPU
    ['/proc/crmsync-nowhere', /\/proc\/crmsync-nowhere cannot be created/],
    [join(aFile, 'home'), /cannot be created.*not a directory/],
  ])('CRMSYNC_HOME=%s: status exits 2 at once, naming the directory and why', async (home, message) => {
    // a generous deadline: the bug was a 10-minute spin that ignored SIGTERM
    const result = await runCli(['status'], cliEnv({ CRMSYNC_HOME: home }), 60_000)
    expect(result.signal).toBeNull()
    expect(result.stderr).toMatch(message)
    expect(result.stderr).toMatch(/CRMSYNC_HOME/)
    expect(result.code).toBe(2)
  })

  it.each(COMMANDS.filter(([c]) => c !== 'sync'))('crmsync %s with CRMSYNC_HOME under /proc exits 2', async (...args) => {
    const result = await runCli(args, cliEnv({ CRMSYNC_HOME: '/proc/crmsync-nowhere' }), 60_000)
    expect(result.stderr).toMatch(/\/proc\/crmsync-nowhere cannot be created/)
    expect(result.code).toBe(2)
  })

  // root may write anywhere, so a read-only directory can only be shown to another user
  it.skipIf(isRoot)('a read-only CRMSYNC_HOME exits 2 saying it is not writable', async () => {
    const home = join(scratch, 'read-only')
    mkdirSync(home)
    chmodSync(home, 0o555)
    const result = await runCli(['status'], cliEnv({ CRMSYNC_HOME: home }), 60_000)
    expect(result.stderr).toMatch(/not writable/)
    expect(result.stderr).not.toMatch(/ENOENT/)
    expect(result.code).toBe(2)
  })
})

describe.skipIf(reason)('a DATABASE_URL naming a database that does not exist', () => {
  const missing = `crmsync_missing_${process.pid}`
  const url = () => {
    const info = inject('postgres')
    return info.available ? withDatabase(info.url, missing) : ''
  }

  it.each(COMMANDS)('crmsync %s exits 2 naming the database and how to create it', async (...args) => {
    const env = cliEnv({ DATABASE_URL: url(), SALESPRO_ACCESS_KEY_ID: 'x', SALESPRO_SECRET_ACCESS_KEY: 'y', SALESPRO_S3_LOCATION: 's3://bucket/x/' })
    const result = await runCli(args, env, 60_000)
    expect(result.stderr).toContain(`database "${missing}" does not exist`)
    expect(result.stderr).toContain(`createdb ${missing}`)
    expect(result.code).toBe(2)
  })
})
