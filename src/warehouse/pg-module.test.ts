import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))

describe('the pg module', () => {
  // in a process of its own: this one's module list holds whatever the test runner loaded
  it("loads with the warehouse without Node loading undici for pg's Cloudflare probe, and leaves no navigator behind", async () => {
    const script = `
      const { default: pg } = await import('./src/warehouse/pg-module.ts')
      await import('./src/warehouse/postgres.ts')
      console.log(JSON.stringify({
        undici: process.moduleLoadList.filter((m) => /undici/.test(m)),
        pool: typeof pg.Pool,
        navigator: typeof globalThis.navigator,
        same: pg === (await import('node:module')).createRequire(process.cwd() + '/')('pg'),
      }))`
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root })
    const seen = JSON.parse(stdout.trim().split('\n').at(-1) as string)
    // Node 21 and later define navigator themselves (and then pg never touches Response either)
    expect(seen).toEqual({ undici: [], pool: 'function', navigator: process.versions.node.startsWith('20.') ? 'undefined' : 'object', same: true })
  })
})
