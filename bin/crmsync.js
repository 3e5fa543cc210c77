#!/usr/bin/env node
// The crmsync command. It runs the bundle in dist/ (built by `npm install`), rebuilding it first
// when a source file is newer, so a clean clone works right after `npm install` and an edited
// checkout never runs stale code. If the bundle cannot be built (a read-only install), the
// TypeScript sources run through tsx instead.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
process.setSourceMapsEnabled(true)
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
  const stamp = join(root, 'dist', '.built')
  const sources = ['src', 'emulators'].map((d) => join(root, d)).filter(existsSync)
  const fresh = existsSync(stamp) && sources.every((dir) => newest(dir) <= statSync(stamp).mtimeMs)
  if (!fresh) {
    try {
      await (await import('../scripts/build.mjs')).buildDist()
    } catch (error) {
      const { register } = await import('tsx/esm/api')
      register()
      process.stderr.write(`crmsync: could not build dist/ (${error.message}); running the TypeScript sources through tsx\n`)
      return import('../src/cli/main.ts')
    }
  }
  return import('../dist/main.js')
}

const { main } = await entry()
process.exitCode = await main(process.argv.slice(2))
