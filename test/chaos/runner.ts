import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { CONNECTORS } from '../../src/connectors/registry.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runSync } from '../../src/engine/run-sync.ts'
import { silentLogger } from '../../src/log.ts'
import { retryDelay } from '../../src/ops/automation/retry-rules.ts'
import { openPostgres } from '../../src/warehouse/postgres.ts'
import type { KillPlan } from './scenario.ts'

const BIN = fileURLToPath(new URL('../../bin/crmsync.js', import.meta.url))

/** One stream's outcome as `crmsync sync --json` reports it. */
export interface StreamOutcome {
  stream: string
  status: string
  mode: string
  errorCode: string | null
  error: string | null
}

export interface RunResult {
  code: number | null
  signal: string | null
  /** what stopped it early: the planned kill, or the harness's deadline */
  stoppedBy?: string
  pages: number
  ms: number
  streams: StreamOutcome[]
  stderrTail: string
  /** what the process printed on stdout, when it was not the expected `--json` document */
  stdout?: string
}

/**
 * `crmsync sync …` as a child process, so a SIGKILL hits a real process mid-write. With a kill
 * plan, the signal goes after the k-th "page committed" debug line (plus a few ms of jitter, so
 * it lands anywhere in the next page's commit) or after a delay. A run past its deadline is
 * SIGKILLed too: under a 429 storm that is just one more crash.
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  kill: KillPlan | undefined,
  deadlineMs: number,
): Promise<RunResult> {
  const started = performance.now()
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let pages = 0
  let stoppedBy: string | undefined
  const timers: NodeJS.Timeout[] = []
  const stop = (signal: NodeJS.Signals, why: string, delayMs = 0) => {
    const fire = () => {
      if (child.exitCode !== null || child.signalCode !== null || stoppedBy) return
      stoppedBy = why
      child.kill(signal)
    }
    if (delayMs > 0) timers.push(setTimeout(fire, delayMs))
    else fire()
  }
  if (kill?.afterMs !== undefined) {
    const why = `${kill.signal}@${kill.afterMs}ms`
    timers.push(setTimeout(() => stop(kill.signal, why, kill.jitterMs), kill.afterMs))
  }
  timers.push(setTimeout(() => stop('SIGKILL', 'deadline'), deadlineMs))
  child.stdout.on('data', (chunk) => (stdout += chunk))
  let partial = ''
  child.stderr.on('data', (chunk: Buffer) => {
    const text = partial + String(chunk)
    const lines = text.split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (!line.includes('"msg":"page committed"')) continue
      pages++
      if (kill?.afterPages === pages) stop(kill.signal, `${kill.signal}@page${pages}`, kill.jitterMs)
    }
    stderr = (stderr + String(chunk)).slice(-20_000)
  })
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      for (const timer of timers) clearTimeout(timer)
      const ms = performance.now() - started
      const streams = parseRuns(stdout)
      const unexpected = streams.length ? undefined : stdout.slice(0, 2000)
      resolve({ code, signal, stoppedBy, pages, ms, streams, stderrTail: stderr.slice(-4000), stdout: unexpected })
    })
  })
}

// `--json` prints one (indented) document on stdout
function parseRuns(stdout: string): StreamOutcome[] {
  try {
    return (JSON.parse(stdout.slice(stdout.indexOf('{'))) as { runs: StreamOutcome[] }).runs ?? []
  } catch {
    return []
  }
}

export interface LibRunOptions {
  source: string
  streams: string[]
  env: Record<string, string>
  section: Record<string, unknown>
  databaseUrl: string
  full: boolean
  deadlineMs: number
  /** a graceful stop after k pages or a delay (the abort a worker's stop request or Ctrl-C gives) */
  stop?: KillPlan
  maxRecords?: number
}

/**
 * The same sync through runSync in this process: no process start, for the runs nobody
 * SIGKILLs. A planned stop aborts the run's signal: the page in hand commits, then it ends.
 */
export async function runInProcess(o: LibRunOptions): Promise<RunResult> {
  const started = performance.now()
  const connector = await CONNECTORS[o.source]()
  const num = (key: string, fallback: number) => {
    const value = o.section[key]
    return typeof value === 'number' ? value : fallback
  }
  const warehouse = openPostgres({ connectionString: o.databaseUrl, max: 3 })
  const abort = new AbortController()
  let stoppedBy: string | undefined
  const timers: NodeJS.Timeout[] = []
  const stop = (why: string, delayMs = 0) =>
    timers.push(
      setTimeout(() => {
        if (abort.signal.aborted) return
        stoppedBy = why
        abort.abort()
      }, delayMs),
    )
  stop('deadline', o.deadlineMs)
  const plan = o.stop
  if (plan?.afterMs !== undefined) stop(`stop@${plan.afterMs}ms`, plan.afterMs + plan.jitterMs)
  const events = createEngineEvents()
  let pages = 0
  events.on('page:committed', () => {
    pages++
    if (plan?.afterPages === pages) stop(`stop@page${pages}`, plan.jitterMs)
  })
  try {
    const { runs } = await runSync(
      [
        {
          connector,
          config: connector.loadConfig(o.env, o.section),
          streams: o.streams,
          settings: {
            lookbackSeconds: num('lookbackSeconds', connector.defaults.lookbackSeconds),
            horizonSeconds: num('horizonSeconds', connector.defaults.horizonSeconds),
            batchSize: num('batchSize', connector.defaults.batchSize),
            // the streams' contracts (history mode: history-check.ts), as the CLI reads them from the config file
            streams: o.section.streams as never,
          },
        },
      ],
      {
        warehouse,
        log: silentLogger(),
        events,
        flags: { full: o.full },
        maxRecords: o.maxRecords,
        signal: abort.signal,
        // the CLI's retry rules, scaled like CRMSYNC_RETRY_SCALE=0.01
        retry: (error, attempt) => retryDelay(error, attempt, { scale: 0.01 }),
        trigger: 'chaos',
      },
    )
    const streams = runs.map((r) => ({
      stream: r.stream,
      status: r.status as string,
      mode: r.mode,
      errorCode: r.errorCode ?? null,
      error: r.error ?? null,
    }))
    const code = streams.some((s) => s.status !== 'succeeded') ? 1 : 0
    return { code, signal: null, stoppedBy, pages, ms: performance.now() - started, streams, stderrTail: '' }
  } finally {
    for (const timer of timers) clearTimeout(timer)
    await warehouse.close()
  }
}
