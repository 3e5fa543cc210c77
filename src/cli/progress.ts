import type { EngineEvents } from '../engine/events.ts'
import type { RunSummary } from '../engine/summary.ts'
import { progressHooks } from './context.ts'
import { formatDuration, formatNumber } from './output.ts'
import { fitRunning } from './progress-fit.ts'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

interface Active {
  name: string
  started: number
  rows: number
}

export interface ProgressOptions {
  /** where each stream's summary line goes the moment it ends @default stdout */
  summary?: (line: string) => void
  /** where progress goes @default process.stderr */
  stream?: NodeJS.WriteStream
  /** off a terminal, one progress line this often @default 10 s */
  everyMs?: number
}

/**
 * Progress while streams run, on stderr: at a terminal a live line (each running stream with its
 * rows and rows/s, redrawn ten times a second), off one a plain line every 10 s, so a long stream
 * in a log or CI output is not silent between its start and its end. Each stream's summary goes to
 * stdout the moment it ends, in both cases.
 */
export function showProgress(events: EngineEvents, options: ProgressOptions = {}): () => void {
  const stream = options.stream ?? process.stderr
  const summary = options.summary ?? ((line: string) => process.stdout.write(`${line}\n`))
  const active = new Map<string, Active>()
  let frame = 0
  let drawn = false
  const clear = () => {
    if (drawn) stream.write('\r\x1b[K')
    drawn = false
  }
  const parts = () =>
    [...active.values()].map((a) => {
      const seconds = (performance.now() - a.started) / 1000
      const rate = seconds > 0.5 ? Math.round(a.rows / seconds) : 0
      return `${a.name} ${formatNumber(a.rows)} rows${rate ? ` ${formatNumber(rate)}/s` : ''} ${formatDuration(Math.round(seconds * 1000))}`
    })
  const draw = () => {
    clear()
    if (active.size === 0) return
    const width = Math.max(20, (stream.columns ?? 100) - 1)
    // streams side by side share the one line: shortened rather than cut off (progress-fit.ts)
    const text = `${FRAMES[frame++ % FRAMES.length]} ${fitRunning(parts(), [...active.values()], width - 2)}`
    stream.write(text.slice(0, width))
    drawn = true
  }
  const line = () => {
    if (active.size > 0) stream.write(`… ${parts().join('  │  ')}\n`)
  }
  if (stream.isTTY) progressHooks.clear = clear
  const timer = stream.isTTY ? setInterval(draw, 100) : setInterval(line, options.everyMs ?? 10_000)
  timer.unref()
  const off = [
    events.on('run:start', (e) => active.set(`${e.source}.${e.stream}`, { name: `${e.source}.${e.stream}`, started: performance.now(), rows: 0 })),
    events.on('page:committed', (e) => {
      const a = active.get(`${e.source}.${e.stream}`)
      if (a) a.rows = e.totals.fetched
    }),
    events.on('run:end', ({ summary: ended }) => {
      active.delete(`${ended.source}.${ended.stream}`)
      clear()
      summary(summaryLine(ended))
    }),
  ]
  return () => {
    clearInterval(timer)
    clear()
    if (progressHooks.clear === clear) progressHooks.clear = undefined
    for (const o of off) o()
  }
}

/** The grand total of a command's runs, for the end of a sync of several streams. */
export function totalLine(runs: readonly RunSummary[], wallMs: number): string {
  const sum = (key: 'fetched' | 'inserted' | 'updated' | 'unchanged' | 'rejected' | 'deleted') => formatNumber(runs.reduce((n, r) => n + r[key], 0))
  const ok = runs.filter((r) => r.status === 'succeeded').length
  const counts = `${sum('fetched')} fetched, ${sum('inserted')} inserted, ${sum('updated')} updated, ${sum('unchanged')} unchanged, ${sum('rejected')} rejected, ${sum('deleted')} deleted`
  return `= ${runs.length} streams, ${ok} succeeded: ${counts} in ${formatDuration(wallMs)}`
}

const MARK: Record<string, string> = { succeeded: '✓', partial: '!', failed: '✗', cancelled: '■', skipped: '-' }

export function summaryLine(s: RunSummary): string {
  const counts = `${formatNumber(s.fetched)} fetched, ${formatNumber(s.inserted)} inserted, ${formatNumber(s.updated)} updated, ${formatNumber(s.unchanged)} unchanged, ${formatNumber(s.rejected)} rejected, ${s.coerced ? `${formatNumber(s.coerced)} with a field nulled (see _meta), ` : ''}${formatNumber(s.deleted)} deleted`
  const rate = s.durationMs > 0 && s.fetched > 0 ? `, ${formatNumber(Math.round((s.fetched * 1000) / s.durationMs))} rows/s` : ''
  const error = s.error ? `\n    ${s.error}` : ''
  return `${MARK[s.status] ?? '?'} ${s.source}.${s.stream}  ${s.status}${s.dryRun ? ' (dry run)' : ''}  ${s.mode}: ${counts} in ${formatDuration(s.durationMs)}${rate}${error}`
}
