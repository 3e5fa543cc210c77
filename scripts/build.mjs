// Bundles the TypeScript sources into dist/ (esbuild, ESM, code-split at every lazy import):
// the CLI then starts without compiling anything at run time, and without the tsx loader's
// second thread (about 40 MB of every crmsync process). `npm install` runs it (prepare), and
// bin/crmsync.js runs it again whenever a source file is newer than the last build.
import { build } from 'esbuild'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = `${root}dist`

/**
 * Builds into a directory of its own, then moves each changed file into dist/ with a rename
 * (atomic), `.built` last. dist/ is never emptied: crmsync processes that are running (a test
 * suite's workers, or a second suite beside it) keep finding every file they import, and two
 * builds at once each write whole files. Files the new build no longer has are removed last.
 */
export async function buildDist() {
  const staging = `${root}dist.${process.pid}.${Date.now()}`
  mkdirSync(staging, { recursive: true })
  try {
    await build({
      entryPoints: [`${root}src/cli/main.ts`],
      outdir: staging,
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
    cpSync(`${root}src/warehouse/migrations`, `${staging}/migrations`, { recursive: true })
    cpSync(`${root}src/server/assets`, `${staging}/assets`, { recursive: true })
    const built = files(staging)
    for (const file of built) {
      const target = join(dist, file)
      const fresh = readFileSync(join(staging, file))
      if (existsSync(target) && readFileSync(target).equals(fresh)) continue
      mkdirSync(join(target, '..'), { recursive: true })
      renameSync(join(staging, file), target)
    }
    const keep = new Set(built)
    for (const file of existsSync(dist) ? files(dist) : []) if (!keep.has(file) && file !== '.built') rmSync(join(dist, file), { force: true })
    const stamp = join(staging, '.built')
    writeFileSync(stamp, new Date().toISOString())
    renameSync(stamp, join(dist, '.built'))
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

/** every file under `dir`, as paths relative to it */
function files(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildDist()
