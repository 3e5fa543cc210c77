// Bundles the TypeScript sources into dist/ (esbuild, ESM, code-split at every lazy import):
// the CLI then starts without compiling anything at run time, and without the tsx loader's
// second thread (about 40 MB of every crmsync process). `npm install` runs it (prepare), and
// bin/crmsync.js runs it again whenever a source file is newer than the last build.
import { build } from 'esbuild'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = `${root}dist`

export async function buildDist() {
  rmSync(dist, { recursive: true, force: true })
  mkdirSync(dist, { recursive: true })
  await build({
    entryPoints: [`${root}src/cli/main.ts`],
    outdir: dist,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // npm packages stay in node_modules: native modules, wasm and their own files must load from there
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  })
  // files the code reads next to itself (import.meta.url): the chunks all sit at dist's top level
  cpSync(`${root}src/warehouse/migrations`, `${dist}/migrations`, { recursive: true })
  cpSync(`${root}src/server/assets`, `${dist}/assets`, { recursive: true })
  writeFileSync(`${dist}/.built`, new Date().toISOString())
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildDist()
