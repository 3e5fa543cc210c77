import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { manifests, SOURCE_NAMES } from '../../connectors/registry.ts'
import { runSync, type SyncTarget } from '../../engine/run-sync.ts'
import { checkSourceIdentity } from '../../engine/source-identity.ts'
import type { RunSummary } from '../../engine/summary.ts'
import { SyncError } from '../../errors.ts'
import { registerSecret } from '../../log.ts'
import { attachOperations, type Operations } from '../../ops/attach-operations.ts'
import { listStreamStates } from '../../warehouse/sql/stream-state.ts'
import { parseCommandArgs, positiveInt } from '../args.ts'
import { binPath } from '../bin-path.ts'
import { loadTarget, type CliContext } from '../context.ts'
import { formatNumber } from '../output.ts'
import { showProgress } from '../progress.ts'

export const DEMO_HELP = `crmsync demo [--rows N] [--no-serve]   (this is what \`npm start\` runs)

Starts the source emulators as a child process, syncs every stream into the warehouse (the
embedded one under ./.crmsync/ unless DATABASE_URL is set), changes some rows at the source,
runs an incremental sync that picks up exactly those changes, and then serves the monitoring
dashboard on that data (http://127.0.0.1:8000/monitoring/) until Ctrl-C. --no-serve ends after
the syncs instead.`

/** The demo syncs every source that has an emulator (`emulate all` starts exactly those). */
const DEMO_SOURCES = manifests().flatMap((m) => (m.emulator ? [{ name: m.name, emulator: m.emulator }] : []))

/** "a, b and c" */
const listed = (items: readonly string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`)

interface Emulators {
  env: Record<string, string>
  tables: Record<string, number>
  child: ChildProcess
}

async function startEmulators(rows: number): Promise<Emulators> {
  const child = spawn(process.execPath, [binPath(), 'emulate', 'all', '--port', '0', '--rows', String(rows), '--parent-pid', String(process.pid)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // the emulators' own notices would interleave with the demo's lines; they matter only if it dies
  let stderr = ''
  child.stderr?.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)))
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.once('line', (line) => resolve(line))
    child.once('exit', (code) => reject(new SyncError('internal', `the emulators exited (code ${code}) before they were ready: ${stderr.trim()}`)))
  })
  const { env, tables } = JSON.parse(firstLine) as { env: Record<string, string>; tables: Record<string, number> }
  return { env, tables, child }
}

async function mutate(url: string, body: unknown): Promise<{ updated: unknown[]; inserted: unknown[]; deleted: unknown[] }> {
  const response = await fetch(`${url}/_admin/mutate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!response.ok) throw new SyncError('internal', `the emulator refused the change: ${response.status} ${await response.text()}`)
  return response.json() as never
}

async function emulatorTables(url: string): Promise<Record<string, number>> {
  const response = await fetch(`${url}/_admin/tables`)
  if (!response.ok) throw new SyncError('internal', `the emulator at ${url} could not count its tables: ${response.status}`)
  return response.json() as never
}

export async function demoCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { rows: { type: 'string' }, 'no-serve': { type: 'boolean', default: false } }, 'demo', { positionals: false })
  const rows = positiveInt(values.rows, '--rows', 1_000_000) ?? 2000
  const say = (text = '') => ctx.out.line(text)
  say('crmsync demo')
  const titles = listed(DEMO_SOURCES.map((s) => s.emulator.title))
  const counted = listed(DEMO_SOURCES.map((s) => s.emulator.rowsName))
  say(`1. starting the source emulators: ${titles} (${rows.toLocaleString('en-US')} ${counted}, and what goes with them)…`)
  const emulators = await startEmulators(rows)
  ctx.releasers.push(async () => void emulators.child.kill('SIGTERM'))
  // the emulators' variables stand in for real credentials, for this process only
  ctx.config = { ...ctx.config, env: { ...ctx.config.env, ...emulators.env } }
  const warehouse = await ctx.warehouse()
  say(`   warehouse: ${warehouse.location}`)
  const ops = await attachOperations({ warehouse, events: ctx.events, log: ctx.log, retry: ctx.retry, alerts: { config: ctx.config, sources: SOURCE_NAMES } })
  ctx.releasers.push(() => ops.close())
  const targets: SyncTarget[] = await Promise.all(DEMO_SOURCES.map((source) => loadTarget(ctx, source.name)))
  // the demo's emulators are a new source every time (a new port): recorded, so that a later sync
  // against other data (the README's emulator, a real source) is told the warehouse holds the demo's
  for (const target of targets) await checkSourceIdentity(warehouse, target, { accept: true, dryRun: false })
  // the emulators start from the same seed every time: a warehouse kept from an earlier demo holds
  // that demo's changes, which this fresh emulator never made, so the first sync overwrites (--force)
  const earlier = (await listStreamStates(warehouse)).some((s) => DEMO_SOURCES.some((d) => d.name === s.source))
  const sync = async (flags: { force?: boolean; full?: boolean }, only = targets) => {
    const stop = showProgress(ctx.events, { summary: (line) => say(`   ${line}`) })
    try {
      const { runs } = await runSync(only, { ...ops.engine, flags, signal: ctx.signal, trigger: 'demo' })
      return runs
    } finally {
      stop()
    }
  }
  say(`2. syncing every stream${earlier ? ' (forced: the warehouse holds an earlier demo)' : ''}…`)
  const first = await sync({ force: earlier })
  const urls = DEMO_SOURCES.map((source) => emulators.env[source.emulator.urlVariable])
  say('3. changing data at the sources while nothing syncs:')
  for (const [i, { emulator }] of DEMO_SOURCES.entries()) {
    if (!emulator.demo) continue
    say(`   ${emulator.demo.said}`)
    for (const mutation of emulator.demo.mutations) await mutate(urls[i], mutation)
  }
  say('4. an incremental sync: only what changed (plus a short look back) is read; HubSpot archives and SalesRabbit deletions become soft deletes…')
  const second = await sync({})
  // a source with no change feed sees a deletion only in a full pass: the first such source shows it
  const fullPass = DEMO_SOURCES.find((s) => s.emulator.demo?.fullPass)
  const pass = fullPass?.emulator.demo?.fullPass
  let third: RunSummary[] = []
  if (fullPass && pass) {
    say(`5. ${pass.said}`)
    third = await sync({ full: true }, [await loadTarget(ctx, fullPass.name, [pass.stream])])
  }

  const failed = [...first, ...second, ...third].filter((r) => r.status !== 'succeeded')
  say()
  say('What happened:')
  say(`   first sync:   ${describe(first)}`)
  say(`   second sync:  ${describe(second)}`)
  say(`   full pass:    ${describe(third)}, ${formatNumber(third.reduce((n, r) => n + r.deleted, 0))} soft-deleted`)
  const counts = await Promise.all(urls.map((url) => emulatorTables(url)))
  say(`   emulator row counts now: ${counts.flatMap((c) => Object.entries(c).map(([t, n]) => `${t} ${formatNumber(n)}`)).join(', ')}`)
  if (!values['no-serve']) return serveDashboard(ctx, ops, failed.length ? 1 : 0)
  say()
  say('Look at the data:')
  say(`   npx crmsync status`)
  say('   npx crmsync history')
  say(`   npx crmsync sql "SELECT customer_id, customer_first_name, customer_last_name, updated_at FROM salespro.customer ORDER BY updated_at DESC LIMIT 5"`)
  say(`   npx crmsync sql "SELECT status_bucket, count(*) FROM salespro.lead_result GROUP BY 1 ORDER BY 2 DESC"`)
  if (failed.length) say(`\n${failed.length} run(s) did not succeed: see the lines above and \`npx crmsync history\``)
  return failed.length ? 1 : 0
}

function describe(runs: RunSummary[]): string {
  const sum = (k: 'fetched' | 'inserted' | 'updated' | 'unchanged') => formatNumber(runs.reduce((n, r) => n + r[k], 0))
  return `${runs.length} stream${runs.length === 1 ? "" : "s"}, ${sum('fetched')} records read, ${sum('inserted')} inserted, ${sum('updated')} updated, ${sum('unchanged')} unchanged`
}

/** The demo's last act: the dashboard on the demo's data, with a token made for this session. */
async function serveDashboard(ctx: CliContext, ops: Operations, code: number): Promise<number> {
  const { startServer } = await import('../../server/start-server.ts')
  const ownToken = ctx.config.env.CRMSYNC_DASHBOARD_TOKEN
  const token = ownToken || randomBytes(18).toString('base64url')
  registerSecret(token)
  const options = {
    ...ops.engine,
    token,
    loadTarget: (source: string, streams?: string[]) => loadTarget(ctx, source, streams),
  }
  const server = await startServer({ ...options, port: 8000 }).catch((error) => {
    ctx.out.note(`port 8000 is taken (${(error as Error).message}); serving on a free port instead`)
    return startServer({ ...options, port: 0 })
  })
  ctx.releasers.push(() => server.close())
  ctx.out.line()
  ctx.out.line(`Dashboard: ${server.url}`)
  // every line is redacted, and the token is a registered secret: it is shown on purpose, once
  if (ownToken) ctx.out.line('   to start or stop syncs from it, paste your CRMSYNC_DASHBOARD_TOKEN when it asks')
  else {
    ctx.out.reveal(
      `   to start or stop syncs from it, paste this session's token when it asks: ${token}`,
      "   to start or stop syncs from it, the dashboard asks for a token, and this session's is shown only at a terminal; to choose your own, run `CRMSYNC_DASHBOARD_TOKEN=<a long random text> npm start`",
    )
  }
  ctx.out.line('   Ctrl-C stops the dashboard; then `npx crmsync status`, `npx crmsync history` and `npx crmsync sql "…"` show the same data.')
  await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true })))
  return code
}
