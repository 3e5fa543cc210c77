import { SOURCE_NAMES } from '../../connectors/registry.ts'
import { SyncError } from '../../errors.ts'
import { streamsOfTarget } from '../../engine/run-sync.ts'
import { attachOperations } from '../../ops/attach-operations.ts'
import { loadWorkerConfig } from '../../worker/config.ts'
import { parseCommandArgs, positiveInt } from '../args.ts'
import { loadTarget, type CliContext } from '../context.ts'

export const WORKER_HELP = `crmsync worker [--concurrency N] [--json]

Runs scheduled and requested syncs until stopped (SIGTERM or Ctrl-C: the page in hand commits,
the job goes back to the queue, and the worker leaves).

With DATABASE_URL, any number of workers on any machines that reach the same PostgreSQL share
one queue (pg-boss, schema crmsync_queue): one run per stream cluster-wide, a global limit of
runs at once, and per-source limits (crmsync.config.json "worker": {"maxConcurrentRuns": 8,
"sourceConcurrency": {"hubspot": 1, "salespro": 4, "salesrabbit": 2}}). A worker that dies is
noticed by the others within seconds; its streams are queued again and resume from their last
committed page.

Without DATABASE_URL (the embedded warehouse), one worker process runs the schedules itself.

Prometheus metrics are served at http://127.0.0.1:<port>/metrics (--metrics-port, default 9464;
a free port when that one is taken: the log says which). Alert rules are evaluated on a timer.

Options:
  --concurrency N   jobs this worker runs at once (default 2)
  --metrics-port P  port of /metrics (0: any free port)
  --json            print {"worker": id, "mode": "queue"|"embedded"} as the first line once ready`

export async function streamsOf(ctx: CliContext, source: string): Promise<string[]> {
  const streams = await streamsOfTarget(await loadTarget(ctx, source), ctx.log, ctx.signal)
  return streams.map((s) => s.name)
}

export async function workerCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { concurrency: { type: 'string' }, 'metrics-port': { type: 'string' } }, 'worker')
  if (positionals.length) throw new SyncError('config_invalid', `unexpected argument ${JSON.stringify(positionals[0])}`)
  const concurrency = positiveInt(values.concurrency, '--concurrency', 64) ?? 2
  const config = loadWorkerConfig(ctx.config.file.worker)
  // each job holds a session for its slots and one for its run, plus the gate, heartbeats and ticks
  ctx.config = { ...ctx.config, poolSize: Math.max(ctx.config.poolSize, concurrency * 3 + 6) }
  const warehouse = await ctx.warehouse()
  const metricsPort = values['metrics-port'] === '0' ? 0 : (positiveInt(values['metrics-port'], '--metrics-port', 65_535) ?? 9464)
  // metrics at /metrics and alert rules on a timer, what every long-running process carries; the
  // automation engine is the worker's own (startWorker, runEmbeddedWorker), logged under its id
  const ops = await attachOperations({
    warehouse,
    events: ctx.events,
    log: ctx.log,
    automation: false,
    metrics: { port: metricsPort, processLabel: 'worker' },
    alerts: { config: ctx.config, sources: SOURCE_NAMES, timer: true },
  })
  ctx.releasers.push(() => ops.close())
  const common = {
    warehouse,
    log: ctx.log,
    events: ctx.events,
    retry: ctx.retry,
    loadTarget: (source: string, streams?: string[]) => loadTarget(ctx, source, streams),
    streamsOf: (source: string) => streamsOf(ctx, source),
    signal: ctx.signal,
  }
  if (!ctx.config.databaseUrl) {
    if (values.json) ctx.out.result({ worker: `embedded-${process.pid}`, mode: 'embedded' })
    ctx.out.note(`no DATABASE_URL: this worker runs the schedules itself on the embedded warehouse (${warehouse.location}); for several workers, use a PostgreSQL server`)
    const { runEmbeddedWorker } = await import('../../worker/embedded.ts')
    await runEmbeddedWorker({ ...common, tickSeconds: config.tickSeconds })
    return 0
  }
  const { startWorker } = await import('../../worker/worker.ts')
  const worker = await startWorker({ ...common, databaseUrl: ctx.config.databaseUrl, config, concurrency })
  if (values.json) ctx.out.result({ worker: worker.id, mode: 'queue' })
  else ctx.out.note(`worker ${worker.id} running (${concurrency} at once); Ctrl-C or SIGTERM to stop after the page in hand`)
  await worker.done
  return 0
}
