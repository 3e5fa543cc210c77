import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { manifests } from '../../connectors/registry.ts'
import type { SourceEmulator } from '../../connectors/manifest.ts'
import { SyncError } from '../../errors.ts'
import { parseCommandArgs, positiveInt } from '../args.ts'
import type { CliContext } from '../context.ts'

/** The sources that have an emulator, in the registry's order. */
export const EMULATED: readonly { name: string; emulator: SourceEmulator }[] = manifests().flatMap((m) => (m.emulator ? [{ name: m.name, emulator: m.emulator }] : []))

export const EMULATOR_NAMES = EMULATED.map((e) => e.name)

const emulatorOf = (name: string) => EMULATED.find((e) => e.name === name)?.emulator
const defaultPorts = EMULATED.map((e) => `${e.name} ${e.emulator.port}`).join(', ')
const withTables = EMULATED.filter((e) => e.emulator.tablesOption).map((e) => e.name).join(', ')
const withQueryLatency = EMULATED.filter((e) => e.emulator.queryLatencyOption).map((e) => e.name).join(', ')

export const EMULATE_HELP = `crmsync emulate <${EMULATOR_NAMES.join('|')}|all> [--port P] [--rows N] [--seed S] [--host H] [--env-file F]

Starts local stand-ins for the sources that speak their real wire protocols (Athena + S3,
HubSpot's CRM API, SalesRabbit's REST API), with seeded realistic data, admin endpoints to change
data while a sync runs (POST /_admin/mutate) and fault knobs (POST /_admin/faults).

The first line on stdout is one JSON object: {"env": {...}, "tables": {...}} — the environment
variables that point crmsync at the emulator (test credentials included) and the row count of
each table, by stream name. With --env-file F the same variables are written to F as shell
assignments, only once the emulator is ready (and F is removed when it stops), so a script can
wait for F to fill and source it:

  : > emulator.env     # empty: what the wait below waits on (and npx on Node 20 needs F to exist)
  crmsync emulate salespro --rows 50000 --seed 7 --env-file emulator.env &
  until [ -s emulator.env ]; do sleep 1; done
  set -a; . ./emulator.env; set +a
  crmsync sync salespro

Options:
  --rows N     size: SalesPro customers, HubSpot contacts, SalesRabbit leads (others in proportion)
  --seed S     the data's seed (default 1); the same seed gives the same data
  --port P     the port (default: ${defaultPorts}; 0 = any free port);
               with "all", each emulator takes the next port from P
  --host H     the address to listen on (default 127.0.0.1)
  --tables T   ${withTables} only: generate just these Athena tables (comma-separated), e.g. customer
  --query-latency-ms N
               ${withQueryLatency} only: each query takes at least N ms from its start to its
               result, QUEUED then RUNNING meanwhile, as in Athena's queue (default 0);
               fetching the result is not slowed
  --env-file F write the environment to F (KEY='value' lines) once ready; removed on exit.
               Node 20 takes a --env-file anywhere on a node command line as its own and
               stops if F does not exist: \`node bin/crmsync.js\` needs \`node -- bin/crmsync.js\`,
               and npx, itself a Node program, needs F to exist: create it empty first
Runs until interrupted (Ctrl-C).`

export interface EmulatorHandle {
  name: string
  url: string
  env: Record<string, string>
  tables(): Promise<Record<string, number>>
  close(): Promise<void>
}

/** Loaded lazily, by the source's manifest: only this command and the demo reach the emulators (docs/design.md §1). */
export async function startEmulator(name: string, options: { host?: string; port?: number; rows?: number; seed?: number; only?: string[]; queryLatencyMs?: number }): Promise<EmulatorHandle> {
  const emulator = emulatorOf(name)
  if (!emulator) throw new SyncError('config_invalid', `${JSON.stringify(name)} has no emulator`)
  const running = await emulator.start(options)
  return { name, url: running.url, env: running.env, tables: () => running.tables(), close: () => running.close() }
}

export async function emulateCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      port: { type: 'string' },
      rows: { type: 'string' },
      seed: { type: 'string' },
      host: { type: 'string' },
      tables: { type: 'string' },
      'parent-pid': { type: 'string' },
      'env-file': { type: 'string' },
      'query-latency-ms': { type: 'string' },
    },
    'emulate',
  )
  const which = positionals[0]
  if (!which || (which !== 'all' && !emulatorOf(which)))
    throw new SyncError('config_invalid', `name an emulator: ${EMULATOR_NAMES.join(', ')} or all${which ? ` (not ${JSON.stringify(which)})` : ''}`)
  if (positionals.length > 1) throw new SyncError('config_invalid', `unexpected argument ${JSON.stringify(positionals[1])}`)
  const port = values.port === '0' ? 0 : positiveInt(values.port, '--port', 65_535)
  const rows = positiveInt(values.rows, '--rows', 50_000_000)
  const seed = values.seed === undefined ? undefined : Number(values.seed)
  if (seed !== undefined && !Number.isInteger(seed)) throw new SyncError('config_invalid', `--seed must be an integer, not ${JSON.stringify(values.seed)}`)
  const names = which === 'all' ? [...EMULATOR_NAMES] : [which]
  const queryLatencyMs = values['query-latency-ms'] === '0' ? 0 : positiveInt(values['query-latency-ms'], '--query-latency-ms', 600_000)
  if (queryLatencyMs !== undefined && !names.some((n) => emulatorOf(n)?.queryLatencyOption))
    throw new SyncError('config_invalid', `--query-latency-ms applies to ${withQueryLatency}, whose queries wait in a queue; ${which} answers at once`)
  const handles: EmulatorHandle[] = []
  try {
    for (const [i, name] of names.entries()) {
      const emulator = emulatorOf(name)
      const chosen = port === undefined ? emulator?.port : port === 0 ? 0 : port + i
      const only = emulator?.tablesOption && values.tables ? values.tables.split(',').map((t) => t.trim()) : undefined
      const latency = emulator?.queryLatencyOption ? queryLatencyMs : undefined
      const options = { host: values.host, port: chosen, rows, seed, only, queryLatencyMs: latency }
      handles.push(await startEmulator(name, options).catch((error: NodeJS.ErrnoException) => {
        // a default port another emulator holds: a free one serves as well, since the environment says which
        if (port !== undefined || error.code !== 'EADDRINUSE') throw error
        ctx.out.note(`${name} emulator: port ${chosen} is in use (another emulator?); listening on a free port instead, as the environment says`)
        return startEmulator(name, { ...options, port: 0 })
      }))
    }
  } catch (error) {
    for (const h of handles) await h.close()
    const e = error as NodeJS.ErrnoException
    if (e.code === 'EADDRINUSE') throw new SyncError('config_invalid', `port ${e.message.match(/:(\d+)$/)?.[1] ?? ''} is in use; pass --port (0 picks a free one)`)
    throw error
  }
  const env = Object.assign({}, ...handles.map((h) => h.env))
  const tables = Object.assign({}, ...(await Promise.all(handles.map((h) => h.tables()))))
  // the contract: the first stdout line is this JSON object, whatever else follows
  process.stdout.write(`${JSON.stringify({ env, tables })}\n`)
  const envFile = values['env-file']
  try {
    if (envFile) writeEnvFile(envFile, env)
  } catch (error) {
    for (const h of handles) await h.close()
    throw error
  }
  for (const h of handles) ctx.out.note(`${h.name} emulator on ${h.url}`)
  ctx.out.note('press Ctrl-C to stop')
  const parentPid = values['parent-pid'] ? Number(values['parent-pid']) : undefined
  await new Promise<void>((resolve) => {
    ctx.signal.addEventListener('abort', () => resolve(), { once: true })
    if (parentPid) {
      // started by a demo: stop when it is gone, so no emulator outlives the process that wanted it
      const watch = setInterval(() => {
        try {
          process.kill(parentPid, 0)
        } catch {
          clearInterval(watch)
          resolve()
        }
      }, 1000)
      watch.unref()
    }
  })
  for (const h of handles) await h.close()
  if (envFile) rmSync(envFile, { force: true })
  return 0
}

// single quotes keep every character but the quote itself, which is closed, escaped and reopened
const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`

/**
 * The environment as `KEY='value'` lines, written whole or not at all (a temporary file renamed
 * into place): a script waiting for the file never reads half of it.
 */
function writeEnvFile(path: string, env: Record<string, string>): void {
  const text = Object.entries(env).map(([key, value]) => `${key}=${shellQuote(value)}\n`).join('')
  const partial = `${path}.partial-${process.pid}`
  try {
    writeFileSync(partial, text, { mode: 0o600 })
    renameSync(partial, path)
  } catch (error) {
    rmSync(partial, { force: true })
    throw new SyncError('config_invalid', `cannot write --env-file ${path}: ${(error as Error).message}`)
  }
}
