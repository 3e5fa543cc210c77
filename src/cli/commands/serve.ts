import { SyncError } from '../../errors.ts'
import { serverSectionSchema } from '../../server/server-config.ts'
import { registerSecret } from '../../log.ts'
import { attachOperations } from '../../ops/attach-operations.ts'
import { DEFAULT_STALE_MINUTES } from '../../server/data.ts'
import { SOURCE_NAMES } from '../../connectors/registry.ts'
import { checkBind, startServer } from '../../server/start-server.ts'
import { createQueueAwareLauncher } from '../../worker/queue-launcher.ts'
import { parseCommandArgs } from '../args.ts'
import { loadTarget, type CliContext } from '../context.ts'

export const SERVE_HELP = `crmsync serve [--host 127.0.0.1] [--port 8000] [--json]

Serves the monitoring dashboard at http://127.0.0.1:8000/monitoring/ : syncs running now with
live progress, every stream with its rows and cursor, the run history, charts, alerts and a data
browser; a JSON API under /api/, Prometheus metrics at /metrics and /healthz. Everything shown is
read from the warehouse. Ctrl-C stops it; syncs it started commit their page in hand and end
'cancelled'.

Security:
  Starting, stopping and acknowledging need the token from CRMSYNC_DASHBOARD_TOKEN (or
  "server": {"token": "…"} in crmsync.config.json): the pages ask for it once and keep it for the
  browser tab; scripts send "Authorization: Bearer <token>". Without a token the dashboard is
  read-only. On 127.0.0.1 (the default) reading is open to this machine. Any other --host needs
  the token, for reading too (open the dashboard once with ?token=…); without one serve refuses
  to start.

With the embedded warehouse (no DATABASE_URL) this process holds ./.crmsync/ while it runs:
start syncs from the dashboard, or use PostgreSQL to run the CLI and workers beside it.

Options:
  --host H   address to listen on (default 127.0.0.1)
  --port N   port (default 8000; 0 picks a free one)
  --json     print {"url": "..."} as the first line once listening

Example:
  CRMSYNC_DASHBOARD_TOKEN=$(openssl rand -hex 24) crmsync serve`

const serverSection = serverSectionSchema

function port(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) throw new SyncError('config_invalid', `--port must be a port number from 0 to 65535, not ${JSON.stringify(value)}`)
  return Number(value)
}

export async function serveCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { host: { type: 'string' }, port: { type: 'string' } }, 'serve')
  if (positionals.length) throw new SyncError('config_invalid', `serve takes no arguments (got ${positionals.join(' ')}). Run \`crmsync serve --help\`.`)
  const section = serverSection.safeParse(ctx.config.file.server ?? {})
  if (!section.success) throw new SyncError('config_invalid', `${ctx.config.configPath}: "server" must be {"token"?, "host"?, "port"?}: ${section.error.issues.map((i) => i.message).join('; ')}`)
  const host = values.host ?? section.data.host ?? '127.0.0.1'
  const token = ctx.config.env.CRMSYNC_DASHBOARD_TOKEN || section.data.token || undefined
  registerSecret(token)
  // refuse an unsafe bind before opening anything
  checkBind(host, token)

  const warehouse = await ctx.warehouse()
  // alert rules are evaluated after every run this process makes and on a timer for everything else
  const ops = await attachOperations({ warehouse, events: ctx.events, log: ctx.log, retry: ctx.retry, alerts: { config: ctx.config, sources: SOURCE_NAMES, timer: true } })
  ctx.releasers.push(() => ops.close())
  const server = await startServer({
    ...ops.engine,
    host,
    port: port(values.port, section.data.port ?? 8000),
    token,
    loadTarget: (source, streams) => loadTarget(ctx, source, streams),
    sweep: (staleSeconds) => ops.heal(staleSeconds),
    // with workers on a PostgreSQL server, "Sync now" queues jobs for them instead of syncing here
    wrapLauncher: ctx.config.databaseUrl
      ? (inProcess) => createQueueAwareLauncher({ inProcess, warehouse, databaseUrl: ctx.config.databaseUrl as string, log: ctx.log })
      : undefined,
    staleAfterMinutes: (source) => {
      const expected = ctx.config.file.sources[source]?.expectedIntervalMinutes
      return expected ? expected * 2 : DEFAULT_STALE_MINUTES
    },
  })
  // released first (last registered): stop serving, let the syncs it started end, then the rest
  ctx.releasers.push(() => server.close())
  // one compact line, whatever --json does to other output: scripts wait for it to know the server is up
  if (values.json) process.stdout.write(`${JSON.stringify({ url: server.url })}\n`)
  else {
    ctx.out.line(`crmsync dashboard: ${server.url}`)
    ctx.out.line(token ? 'actions (Sync now, Stop, Acknowledge) need the dashboard token' : 'read-only: set CRMSYNC_DASHBOARD_TOKEN to start and stop syncs from the dashboard')
    ctx.out.line('press Ctrl-C to stop')
  }
  await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true })))
  return 0
}
