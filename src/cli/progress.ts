import type { EngineEvents } from '../engine/events.ts'
import type { RunSummary } from '../engine/summary.ts'
import { progressHooks } from './context.ts'
import { formatDuration, formatNumber } from './output.ts'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

interface Active {
  name: string
  started: number
  rows: number
}

/**
 * A live progress line on a terminal: each running stream with its rows and rows/s, redrawn ten
 * times a second on stderr, and a finished line per stream. Off a terminal it stays silent: the
 * command prints plain lines and the logs say the rest.
 */
export function showProgress(events: EngineEvents, stream: NodeJS.WriteStream = process.stderr): () => void {
  if (!stream.isTTY) return () => {}
  const active = new Map<string, Active>()
  let frame = 0
  let drawn = false
  const clear = () => {
    if (drawn) stream.write('\r\x1b[K')
    drawn = false
  }
  const draw = () => {
    clear()
    if (active.size === 0) return
    const parts = [...active.values()].map((a) => {
      const seconds = (performance.now() - a.started) / 1000
      const rate = seconds > 0.5 ? Math.round(a.rows / seconds) : 0
      return `${a.name} ${formatNumber(a.rows)} rows${rate ? ` ${formatNumber(rate)}/s` : ''} ${formatDuration(Math.round(seconds * 1000))}`
    })
    const text = `${FRAMES[frame++ % FRAMES.length]} ${parts.join('  │  ')}`
    stream.write(text.slice(0, Math.max(20, (stream.columns ?? 100) - 1)))
    drawn = true
  }
  progressHooks.clear = clear
  const timer = setInterval(draw, 100)
  timer.unref()
  const off = [
    events.on('run:start', (e) => active.set(`${e.source}.${e.stream}`, { name: `${e.source}.${e.stream}`, started: performance.now(), rows: 0 })),
    events.on('page:committed', (e) => {
      const a = active.get(`${e.source}.${e.stream}`)
      if (a) a.rows = e.totals.fetched
    }),
    events.on('run:end', ({ summary }) => {
      active.delete(`${summary.source}.${summary.stream}`)
      clear()
      stream.write(`${summaryLine(summary)}\n`)
    }),
  ]
  return () => {
    clearInterval(timer)
    clear()
    progressHooks.clear = undefined
    for (const o of off) o()
  }
}

const MARK: Record<string, string> = { succeeded: '✓', partial: '!', failed: '✗', cancelled: '■', skipped: '-' }

export function summaryLine(s: RunSummary): string {
  const counts = `${formatNumber(s.fetched)} fetched, ${formatNumber(s.inserted)} inserted, ${formatNumber(s.updated)} updated, ${formatNumber(s.unchanged)} unchanged, ${formatNumber(s.rejected)} rejected, ${s.coerced ? `${formatNumber(s.coerced)} with a field nulled (see _meta), ` : ''}${formatNumber(s.deleted)} deleted`
  const rate = s.durationMs > 0 && s.fetched > 0 ? `, ${formatNumber(Math.round((s.fetched * 1000) / s.durationMs))} rows/s` : ''
  const error = s.error ? `\n    ${s.error}` : ''
  return `${MARK[s.status] ?? '?'} ${s.source}.${s.stream}  ${s.status}${s.dryRun ? ' (dry run)' : ''}  ${s.mode}: ${counts} in ${formatDuration(s.durationMs)}${rate}${error}`
}
