// Bundles the TypeScript sources into dist/ (esbuild, ESM, code-split at every lazy import):
// the CLI then starts without compiling anything at run time, and without the tsx loader's
// second thread (about 40 MB of every crmsync process). `npm install` runs it (prepare), and
// bin/crmsync.js runs it again whenever a source file is newer than the last build.
//
// Each build goes into a folder of its own, dist/<id>/, and dist/current names the newest, replaced
// atomically (write, then rename). A build never rewrites another's files: a crmsync process
// started from an older build (a worker, serve) keeps loading its lazy chunks from its own folder,
// and a process starting while another builds runs whichever build is complete.
import { build } from 'esbuild'
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = `${root}dist`
// builds kept besides the newest, and for how long at least: a long-running process may still use one
const KEEP_BUILDS = 4
const KEEP_MS = 7 * 24 * 3600 * 1000

// npm packages stay in node_modules: native modules, wasm and their own files must load from there.
// zod is bundled: plain JavaScript in ~95 ES modules that Node resolves, reads and compiles one by
// one at every start of every command (~40 ms of a `crmsync sync`); bundled, it is part of a chunk.
const BUNDLED_PACKAGES = new Set(['zod'])
// The AWS SDK too: ~300 CommonJS files, each of which Node resolves, reads, scans for its exports
// (an ES module imports them) and compiles, ~200 ms of every SalesPro sync's start
const BUNDLED_SCOPES = ['@aws-sdk/', '@smithy/', '@aws-crypto/', '@aws/']
const bundled = (name) => BUNDLED_PACKAGES.has(name) || BUNDLED_SCOPES.some((scope) => name.startsWith(scope))
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    // a bare specifier (not ./, ../ or /) names a package, or a node: builtin
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true }
      const parts = args.path.split('/')
      const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
      return bundled(name) ? undefined : { external: true }
    })
  },
}

export async function buildDist() {
  const id = `${Date.now().toString(36)}-${process.pid}`
  const outdir = `${dist}/${id}`
  mkdirSync(outdir, { recursive: true })
  await build({
    entryPoints: [`${root}src/cli/main.ts`],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [externalPackages],
    // the bundled packages' ES module builds (the AWS SDK ships both): imports, not require()
    mainFields: ['module', 'main'],
    sourcemap: true,
    logLevel: 'warning',
  })
  // files the code reads next to itself (import.meta.url): the chunks all sit at the build's top level
  cpSync(`${root}src/warehouse/migrations`, `${outdir}/migrations`, { recursive: true })
  cpSync(`${root}src/server/assets`, `${outdir}/assets`, { recursive: true })
  writeFileSync(`${dist}/current.${process.pid}`, id)
  renameSync(`${dist}/current.${process.pid}`, `${dist}/current`)
  removeOldBuilds(id)
  return id
}

function removeOldBuilds(newest) {
  const builds = readdirSync(dist, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== newest)
    .map((e) => ({ name: e.name, at: statSync(`${dist}/${e.name}`).mtimeMs }))
    .sort((a, b) => b.at - a.at)
  for (const old of builds.slice(KEEP_BUILDS)) if (Date.now() - old.at > KEEP_MS) rmSync(`${dist}/${old.name}`, { recursive: true, force: true })
  // the layout before builds had folders of their own
  for (const stale of ['main.js', '.built']) rmSync(`${dist}/${stale}`, { force: true })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildDist()
