import type { EngineEvents } from '../engine/events.ts'
import { redactSecrets, type Logger } from '../log.ts'
import { countsOf, type RunCountName, type RunCounts } from '../run-counts.ts'
import { listRunningRuns, type DbRunningRun } from '../warehouse/sql/dashboard.ts'
import { getRun } from '../warehouse/sql/runs.ts'
import type { Warehouse } from '../warehouse/types.ts'

/** The counts a running run and a run's end show live; a page's totals add `unchanged`. */
const LIVE_COUNTS = ['fetched', 'inserted', 'updated', 'rejected', 'coerced'] as const satisfies readonly RunCountName[]
const PAGE_COUNTS = ['fetched', 'inserted', 'updated', 'unchanged', 'rejected', 'coerced'] as const satisfies readonly RunCountName[]

/** One message to the browsers: an SSE event name and its JSON data. */
export type LiveListener = (event: string, data: unknown) => void

export interface LiveHub {
  /** starts the feed for one browser; returns the unsubscribe */
  subscribe(listener: LiveListener): () => void
  /** the running runs now, as the `snapshot` event carries them */
  snapshot(): Promise<{ runs: LiveRun[] | null; error?: string }>
  /** stops polling and tells every subscriber the feed is over */
  close(): void
  readonly closed: boolean
}

export interface LiveRun extends Pick<RunCounts, (typeof LIVE_COUNTS)[number]> {
  id: number
  source: string
  stream: string
  mode: string
  trigger: string
  host: string | null
  pid: number | null
  startedAt: string
  elapsedMs: number
  pages: number
  stopRequested: boolean
}

const liveRun = (r: DbRunningRun): LiveRun => ({
  id: r.id,
  source: r.source,
  stream: r.stream,
  mode: r.mode,
  trigger: r.trigger,
  host: r.host,
  pid: r.pid,
  startedAt: new Date(r.started_at).toISOString(),
  elapsedMs: Math.round(r.elapsed_ms),
  ...countsOf(r, LIVE_COUNTS),
  pages: r.pages,
  stopRequested: r.stop_requested,
})

/**
 * The live feed behind `GET /api/events`: the engine events of runs in this process, as they
 * happen, plus a snapshot of every running run read from crmsync.sync_runs every `pollMs`, so runs
 * of other processes (the CLI, workers) show live too. One poll serves every browser, and polling
 * stops when nobody listens. Page events are coalesced per run (at most one per `coalesceMs`): a
 * sync committing hundreds of small pages a second must not flood the browsers.
 */
export function createLiveHub(deps: { warehouse: Warehouse; events: EngineEvents; log: Logger; pollMs?: number; coalesceMs?: number }): LiveHub {
  const listeners = new Set<LiveListener>()
  const pending = new Map<number, unknown>()
  let poller: NodeJS.Timeout | undefined
  let flusher: NodeJS.Timeout | undefined
  let closed = false

  const broadcast = (event: string, data: unknown) => {
    for (const listener of listeners) listener(event, data)
  }
  const flush = () => {
    flusher = undefined
    for (const data of pending.values()) broadcast('page:committed', data)
    pending.clear()
  }
  const snapshot = async () => {
    try {
      return { runs: (await listRunningRuns(deps.warehouse)).map(liveRun) }
    } catch (error) {
      return { runs: null, error: `the warehouse did not answer: ${redactSecrets((error as Error).message)}` }
    }
  }
  // runs seen running at the last poll, and runs whose end this process's own events announced
  let running = new Set<number>()
  const endedHere = new Set<number>()
  // one poll at a time: on a slow warehouse two would interleave their view of what was running
  let polling = false
  const poll = async () => {
    if (polling) return
    polling = true
    try {
      const snap = await snapshot()
      if (closed) return
      broadcast('snapshot', { ...snap, at: new Date().toISOString() })
      if (!snap.runs) return
      const now = new Set(snap.runs.map((r) => r.id))
      // a run of another process (the CLI, a worker) that left the list has ended: its final status
      // and counts come from the warehouse, as its own process's run:end would have brought them;
      // one whose end could not be read yet stays on the list, and the next poll tries again
      for (const id of running) if (!now.has(id) && !endedHere.delete(id) && !(await announceEnd(id))) now.add(id)
      for (const id of endedHere) if (!now.has(id)) endedHere.delete(id)
      running = now
    } finally {
      polling = false
    }
  }
  /** Announces the end of a run of another process; false when it cannot be read yet (try again). */
  const announceEnd = async (id: number): Promise<boolean> => {
    let run: Awaited<ReturnType<typeof getRun>>
    try {
      run = await getRun(deps.warehouse, id)
    } catch {
      return false
    }
    // a run deleted meanwhile has nothing to announce; one still `running` was read before its end
    if (!run) return true
    if (run.status === 'running' || closed) return closed
    broadcast('run:end', {
      runId: run.id,
      source: run.source,
      stream: run.stream,
      status: run.status,
      ...countsOf(run, LIVE_COUNTS),
      durationMs: Number(run.duration_ms ?? 0),
      errorCode: run.error_code,
      error: run.error === null ? null : redactSecrets(run.error),
    })
    return true
  }

  const offs = [
    deps.events.on('run:start', (e) => broadcast('run:start', { runId: e.runId, source: e.source, stream: e.stream, mode: e.mode, trigger: e.trigger })),
    deps.events.on('page:committed', (e) => {
      if (e.runId === null || listeners.size === 0) return
      // how far the read is through the size its source told, when it told one (only this process's runs have it)
      const progress = e.progress ? { progress: e.progress } : {}
      pending.set(e.runId, { runId: e.runId, source: e.source, stream: e.stream, pages: e.pageNo, ...countsOf(e.totals, PAGE_COUNTS), ...progress })
      flusher ??= setTimeout(flush, deps.coalesceMs ?? 200)
    }),
    deps.events.on('run:retry', (e) => broadcast('run:retry', { runId: e.runId, source: e.source, stream: e.stream, attempt: e.attempt, waitMs: e.waitMs, error: redactSecrets(e.error) })),
    deps.events.on('run:end', ({ summary: s }) => {
      flush()
      if (s.runId !== null) endedHere.add(s.runId)
      broadcast('run:end', {
        runId: s.runId,
        source: s.source,
        stream: s.stream,
        status: s.status,
        ...countsOf(s, LIVE_COUNTS),
        durationMs: s.durationMs,
        errorCode: s.errorCode,
        error: s.error === null ? null : redactSecrets(s.error),
      })
    }),
  ]

  return {
    subscribe(listener) {
      if (closed) return () => {}
      listeners.add(listener)
      void snapshot().then((snap) => !closed && listeners.has(listener) && listener('snapshot', { ...snap, at: new Date().toISOString() }))
      if (!poller) {
        poller = setInterval(() => void poll(), deps.pollMs ?? 2000)
        poller.unref()
      }
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0 && poller) {
          clearInterval(poller)
          poller = undefined
        }
      }
    },
    snapshot,
    close() {
      if (closed) return
      closed = true
      for (const off of offs) off()
      clearInterval(poller)
      clearTimeout(flusher)
      broadcast('bye', { reason: 'the server is shutting down' })
      listeners.clear()
    },
    get closed() {
      return closed
    },
  }
}
