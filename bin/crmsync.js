#!/usr/bin/env -S node --
// (`--` ends node's own options: Node 20 reads `--env-file` anywhere on its command line, even
// after the script, so `crmsync emulate --env-file F` would reach node, not crmsync, without it)
// The crmsync command. It runs the bundle in dist/ (built by `npm install`), rebuilding it first
// when a source file is newer, so a clean clone works right after `npm install` and an edited
// checkout never runs stale code. If the bundle cannot be built (a read-only install), the
// TypeScript sources run through tsx instead.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { setFlagsFromString } from 'node:v8'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
// A sync streams millions of rows through a heap whose live part stays ~25 MB, and V8 lets the old
// generation grow to as much as 4× what its last full collection kept before it collects again
// (the factor follows its own measure of GC speed, which the machine's load moves): a sync's peak
// RSS wandered from 150 to 210 MB run to run. At 1.5× it stays flat (1M SalesPro rows: heap peak
// 129 -> 71 MB, RSS 207 -> 151 MB) for a few more full collections of ~25 MB each. V8 reads the
// flag each time it sets the next limit, so setting it here, before any module loads, is in time.
setFlagsFromString('--heap-growing-percent=50')
// Stacks that name the TypeScript files and lines: with them on, Node reads and parses each loaded
// chunk's source map as it loads (~8 MB of maps, ~70 ms of every command's start). They are on for
// the long-running commands, whose logged errors carry stacks, and for --debug, which prints them.
const LONG_RUNNING = new Set(['serve', 'worker', 'demo'])
const args = process.argv.slice(2)
if (args.includes('--debug') || args.some((arg) => LONG_RUNNING.has(arg))) process.setSourceMapsEnabled(true)
const root = fileURLToPath(new URL('..', import.meta.url))

function newest(dir) {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return latest
}

async function entry() {
  // dist/current names the newest complete build (see scripts/build.mjs)
  const current = join(root, 'dist', 'current')
  const sources = ['src', 'emulators'].map((d) => join(root, d)).filter(existsSync)
  const fresh = existsSync(current) && sources.every((dir) => newest(dir) <= statSync(current).mtimeMs)
  let id = fresh ? readFileSync(current, 'utf8').trim() : undefined
  if (!id) {
    try {
      id = await (await import('../scripts/build.mjs')).buildDist()
    } catch (error) {
      const { register } = await import('tsx/esm/api')
      register()
      process.stderr.write(`crmsync: could not build dist/ (${error.message}); running the TypeScript sources through tsx\n`)
      return import('../src/cli/main.ts')
    }
  }
  return import(pathToFileURL(join(root, 'dist', id, 'main.js')).href)
}

const { main } = await entry()
process.exitCode = await main(process.argv.slice(2))
