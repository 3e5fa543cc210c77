import { coerceError, exitCodeFor } from '../errors.ts'
import { redactSecrets } from '../log.ts'
import { createContext, release, type CliContext } from './context.ts'
interface Command {
  summary: string
  /** loaded only when the command runs, so `crmsync status` does not pay for the AWS SDK */
  load(): Promise<{ help: string; run(ctx: CliContext, argv: string[]): Promise<number> }>
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  init: {
    summary: 'create the warehouse schemas and crmsync tables (safe to repeat)',
    load: async () => ({ help: (await import('./commands/init.ts')).INIT_HELP, run: (await import('./commands/init.ts')).initCommand }),
  },
  sync: {
    summary: 'sync sources into the warehouse: incremental, --full, --force or a --since/--until window',
    load: async () => ({ help: (await import('./commands/sync.ts')).SYNC_HELP, run: (await import('./commands/sync.ts')).syncCommand }),
  },
  reprocess: {
    summary: "re-apply today's processors to the rows in the warehouse, from their _raw: no source call",
    load: async () => ({ help: (await import('./commands/reprocess.ts')).REPROCESS_HELP, run: (await import('./commands/reprocess.ts')).reprocessCommand }),
  },
  rejects: {
    summary: 'list rejected records, or retry them with today\'s processors',
    load: async () => ({ help: (await import('./commands/rejects.ts')).REJECTS_HELP, run: (await import('./commands/rejects.ts')).rejectsCommand }),
  },
  check: {
    summary: 'prove a source\'s credentials and reachability with one cheap request (every configured source without one)',
    load: async () => ({ help: (await import('./commands/check.ts')).CHECK_HELP, run: (await import('./commands/check.ts')).checkCommand }),
  },
  status: {
    summary: 'the warehouse, running syncs and every stream: rows, last run, where it resumes',
    load: async () => ({ help: (await import('./commands/status.ts')).STATUS_HELP, run: (await import('./commands/status.ts')).statusCommand }),
  },
  history: {
    summary: 'past runs with their counts and errors; --run ID for one run in detail',
    load: async () => ({ help: (await import('./commands/history.ts')).HISTORY_HELP, run: (await import('./commands/history.ts')).historyCommand }),
  },
  schema: {
    summary: 'a source\'s tables: each column\'s type and where it came from, and how the shape changed',
    load: async () => ({ help: (await import('./commands/schema.ts')).SCHEMA_HELP, run: (await import('./commands/schema.ts')).schemaCommand }),
  },
  versions: {
    summary: 'every version of one row of a stream kept in history mode (--key K)',
    load: async () => ({ help: (await import('./commands/versions.ts')).VERSIONS_HELP, run: (await import('./commands/versions.ts')).versionsCommand }),
  },
  sql: {
    summary: 'run a read-only query against the warehouse',
    load: async () => ({ help: (await import('./commands/sql.ts')).SQL_HELP, run: (await import('./commands/sql.ts')).sqlCommand }),
  },
  serve: {
    summary: 'the monitoring dashboard at http://127.0.0.1:8000/monitoring/, a JSON API, /metrics and /healthz',
    load: async () => ({ help: (await import('./commands/serve.ts')).SERVE_HELP, run: (await import('./commands/serve.ts')).serveCommand }),
  },
  schedule: {
    summary: 'add, list, pause and remove scheduled syncs (run by `crmsync worker`)',
    load: async () => ({ help: (await import('./commands/schedule.ts')).SCHEDULE_HELP, run: (await import('./commands/schedule.ts')).scheduleCommand }),
  },
  worker: {
    summary: 'run scheduled and queued syncs; any number of workers share one PostgreSQL',
    load: async () => ({ help: (await import('./commands/worker.ts')).WORKER_HELP, run: (await import('./commands/worker.ts')).workerCommand }),
  },
  credentials: {
    summary: 'keep source credentials encrypted in the warehouse: set, list, delete, rotate-key',
    load: async () => ({ help: (await import('./commands/credentials.ts')).CREDENTIALS_HELP, run: (await import('./commands/credentials.ts')).credentialsCommand }),
  },
  alerts: {
    summary: 'alerts: list the open ones, test every channel, acknowledge one (ack ID)',
    load: async () => ({ help: (await import('./commands/alerts.ts')).ALERTS_HELP, run: (await import('./commands/alerts.ts')).alertsCommand }),
  },
  emulate: {
    summary: 'start local emulators of SalesPro (Athena), HubSpot and SalesRabbit',
    load: async () => ({ help: (await import('./commands/emulate.ts')).EMULATE_HELP, run: (await import('./commands/emulate.ts')).emulateCommand }),
  },
  demo: {
    summary: 'the demo: emulators, a full sync, source changes, an incremental sync',
    load: async () => ({ help: (await import('./commands/demo.ts')).DEMO_HELP, run: (await import('./commands/demo.ts')).demoCommand }),
  },
}

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length))
  return `crmsync — CRM data into a PostgreSQL warehouse, incrementally, with nothing lost or duplicated

Usage: crmsync <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

Every command takes --help (or crmsync help <command>), --json (machine-readable output) and
--debug (verbose logs).

The warehouse is PostgreSQL at DATABASE_URL, or, without it, an embedded PostgreSQL (PGlite)
under ./.crmsync/. Sources are configured by environment variables — SALESPRO_ACCESS_KEY_ID,
SALESPRO_SECRET_ACCESS_KEY, SALESPRO_S3_LOCATION, SALESPRO_SERVER_REGION, HUBSPOT_API_TOKEN,
SALESRABBIT_API_TOKEN — and the optional crmsync.config.json.`
}

/** Runs one command line and returns the exit code: 0 success, 1 a sync failed, 2 bad usage or config. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  // `crmsync help sync` is `crmsync sync --help`, as in git and npm
  if (name === 'help' && rest[0] && !rest[0].startsWith('-')) return main([rest[0], '--help'])
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`)
    return name ? 0 : 2
  }
  if (name === '--version' || name === 'version') {
    process.stdout.write('crmsync 0.1.0\n')
    return 0
  }
  const command = COMMANDS[name]
  if (!command) {
    process.stderr.write(`crmsync: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`)
    return 2
  }
  const { help, run } = await command.load()
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${help}\n`)
    return 0
  }
  let ctx: CliContext | undefined
  try {
    ctx = createContext({ json: rest.includes('--json'), debug: rest.includes('--debug'), command: name })
    return await run(ctx, rest)
  } catch (error) {
    const failure = coerceError(error)
    const message = redactSecrets(failure.message)
    if (rest.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code: failure.code, message } })}\n`)
    process.stderr.write(`crmsync ${name}: ${message}\n`)
    if (failure.code === 'internal' && failure.cause instanceof Error && rest.includes('--debug')) process.stderr.write(`${failure.cause.stack}\n`)
    return exitCodeFor(failure)
  } finally {
    if (ctx) await release(ctx)
  }
}

