import { format } from 'node:util'
import { redactSecrets, type Logger } from '../log.ts'
import type { RunLogLine, Warehouse } from '../warehouse/store.ts'

/**
 * A run's own log: the lines of info and above that its logger writes (its start, retries and
 * their waits, schema changes, its end with its timings), kept in crmsync.run_logs so that
 * `crmsync history --run ID --logs` and the run page show them from any process, live while the
 * run goes on. The lines still go to the process's log as before; this only keeps a copy.
 *
 * Bounded per run: the first `limit` lines are kept; past them warnings and errors (up to a
 * margin) and the run's last lines, with a line that says how many were left out between. Writes are batched (every `flushEveryMs`
 * and at the end) and never fail the run: a log that cannot be written is a log, not the data.
 */

export interface RunLog {
  /** the run's logger: logs as the given one does, and keeps the run's lines */
  readonly log: Logger
  /** the run's id, once it has one: lines kept before it are written with the first flush */
  attach(runId: number): void
  /** writes the end of the log and stops the timer; never throws */
  close(): Promise<void>
}

export interface RunLogOptions {
  flushEveryMs?: number
  limit?: number
}

export const RUN_LOG_LIMIT = 1000
/** past the limit, warnings and errors are still kept, up to this many more */
const WARNING_MARGIN = 200
/** past the limit, the run's last lines are kept too */
const TAIL = 50
const MAX_MESSAGE = 2000
const MAX_FIELDS = 4000
const LEVELS = ['info', 'warn', 'error', 'fatal'] as const
type Level = (typeof LEVELS)[number]
const KEPT_LEVELS = new Set<string>(LEVELS)
/** bound to every line already, and shown beside the log: not repeated in each line's fields */
const CONTEXT_KEYS = new Set(['source', 'stream', 'runId', 'msg'])

/** Starts keeping the lines `log` writes for a run of `warehouse`. */
export function startRunLog(warehouse: Warehouse, log: Logger, options: RunLogOptions = {}): RunLog {
  const limit = options.limit ?? RUN_LOG_LIMIT
  const pending: RunLogLine[] = []
  const state = { runId: null as number | null, kept: 0, warnings: 0, dropped: 0, writing: Promise.resolve(), failed: false }
  // past the limit, the last lines wait here: the run's end is worth more than its middle
  const tail: Omit<RunLogLine, 'seq'>[] = []

  const keep = (level: Level, args: unknown[], bindings: Record<string, unknown>) => {
    const line = { at: new Date(), level, ...lineOf(args, bindings) }
    if (state.kept < limit || (level !== 'info' && state.warnings++ < WARNING_MARGIN)) {
      pending.push({ seq: ++state.kept, ...line })
      return
    }
    tail.push(line)
    if (tail.length <= TAIL) return
    tail.shift()
    state.dropped++
  }
  const flush = () => {
    const runId = state.runId
    if (runId === null || pending.length === 0) return state.writing
    const lines = pending.splice(0)
    state.writing = state.writing
      .then(() => warehouse.store.appendRunLogs(warehouse, runId, lines))
      .catch((error: unknown) => {
        if (state.failed) return
        state.failed = true
        log.warn({ err: error }, `run ${runId}'s log lines could not be kept in the warehouse (crmsync.run_logs); the run goes on`)
      })
    return state.writing
  }
  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 2000)
  timer.unref()

  return {
    log: keeping(log, keep, {}),
    attach(runId) {
      state.runId = runId
    },
    async close() {
      clearInterval(timer)
      if (state.dropped > 0) {
        const note = `${state.dropped} log lines were left out here: a run keeps its first ${limit} lines, its warnings and errors, and its last ${TAIL}`
        pending.push({ seq: ++state.kept, at: new Date(), level: 'warn', message: note, fields: null })
      }
      for (const line of tail.splice(0)) pending.push({ seq: ++state.kept, ...line })
      await flush()
    },
  }
}

/** `log`, with each line of a kept level also handed to `keep`; its children too (a connector's `ctx.log.child`). */
function keeping(log: Logger, keep: (level: Level, args: unknown[], bindings: Record<string, unknown>) => void, bindings: Record<string, unknown>): Logger {
  return new Proxy(log, {
    get(target, property) {
      if (property === 'child') {
        return (childBindings: Record<string, unknown>, options?: object) => keeping(target.child(childBindings, options), keep, { ...bindings, ...childBindings })
      }
      const value = Reflect.get(target, property, target) as unknown
      if (typeof property !== 'string' || !KEPT_LEVELS.has(property) || typeof value !== 'function') return value
      return (...args: unknown[]) => {
        keep(property as Level, args, bindings)
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}

/** A pino call's arguments — (message, ...), (fields, message, ...) or (error, message) — as a line's message and fields. */
function lineOf(args: unknown[], bindings: Record<string, unknown>): Pick<RunLogLine, 'message' | 'fields'> {
  const [first, ...rest] = args
  if (typeof first === 'string') return { message: clip(redactSecrets(format(first, ...rest)), MAX_MESSAGE), fields: fieldsOf(bindings) }
  const given = first instanceof Error ? { err: first } : ((first ?? {}) as Record<string, unknown>)
  const text = typeof rest[0] === 'string' ? format(rest[0], ...rest.slice(1)) : first instanceof Error ? first.message : typeof given.msg === 'string' ? given.msg : ''
  return { message: clip(redactSecrets(text), MAX_MESSAGE), fields: fieldsOf({ ...bindings, ...given }) }
}

/** The fields worth keeping beside the message, as JSON that survives the trip (errors as their message), redacted. */
function fieldsOf(all: Record<string, unknown>): Record<string, unknown> | null {
  const kept = Object.entries(all).filter(([key, value]) => !CONTEXT_KEYS.has(key) && value !== undefined)
  if (kept.length === 0) return null
  const json = redactSecrets(JSON.stringify(Object.fromEntries(kept), (_key, value: unknown) => (value instanceof Error ? redactSecrets(value.message) : typeof value === 'bigint' ? String(value) : value)))
  return json.length > MAX_FIELDS ? { truncated: clip(json, MAX_FIELDS) } : (JSON.parse(json) as Record<string, unknown>)
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)
