import { spawn } from 'node:child_process'
import { existsSync, readFileSync, utimesSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = `${root}bin/crmsync.js`

const run = (args: string[]) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('close', (code) => resolve({ code, out, err }))
  })

/**
 * bin/crmsync.js rebuilds dist/ when a source is newer than the last build. Several crmsync
 * processes starting at once after a change (a worker and serve after a pull; the chaos harness
 * found it) each rebuilt the one dist/ in place and ran half-written chunks of another's build.
 */
describe('the command starting while its bundle is rebuilt', () => {
  it('several processes that find the build stale all start and answer', async () => {
    const current = `${root}dist/current`
    // the build's stamp made older than every source (dist/.built was the stamp before builds had folders)
    for (const stamp of [current, `${root}dist/.built`]) if (existsSync(stamp)) utimesSync(stamp, new Date(0), new Date(0))
    const results = await Promise.all([...Array.from({ length: 4 }, () => run(['--version'])), run(['sync', '--help'])])
    for (const r of results) expect([r.code, r.err]).toEqual([0, ''])
    expect(results[0].out).toMatch(/^crmsync \d/)
    expect(results[4].out).toMatch(/crmsync sync <source>/)
    expect(existsSync(`${root}dist/${readFileSync(current, 'utf8').trim()}/main.js`)).toBe(true)
  })
})
