import type { EngineEvents, ReadProgress } from '../engine/events.ts'
import type { RunSummary } from '../engine/summary.ts'
import { progressHooks } from './context.ts'
import { formatDuration, formatNumber } from './output.ts'
import { fitRunning } from './progress-fit.ts'

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

interface Active {
  name: string
  started: number
  rows: number
  /** how far the read in hand is through the size its source told; undefined when it told none */
  progress?: ReadProgress
  /**
   * (time, done) of the read in hand since it told its size, the oldest no more than PACE_MS
   * before the newest: its pace, and so its ETA, is measured over them
   */
  paced?: Sample[]
}

interface Sample {
  at: number
  done: number
}

// a read's pace over its whole length so far overestimated a 75-s SalesPro read's time left by
// 60-90 % (its first seconds are its slowest); over its last half minute it follows the speed-up
const PACE_MS = 30_000

export interface ProgressOptions {
  /** where each stream's summary line goes the moment it ends @default stdout */
  summary?: (line: string) => void
  /** where progress goes @default process.stderr */
  stream?: NodeJS.WriteStream
  /** off a terminal, one progress line this often @default 10 s */
  everyMs?: number
  /** how many sources the command syncs: with it, the whole sync's total shows once every stream's size is known */
  sources?: number
  /** the clock, in ms (tests) @default performance.now */
  now?: () => number
}

/** What the whole sync has seen so far: its sources' streams as listed, and the rows of those that ended. */
interface Whole {
  sources?: number
  listed: Map<string, readonly string[]>
  ended: Map<string, number>
}

/**
 * Progress while streams run, on stderr: at a terminal a live line (each running stream with its
 * rows and rows/s, redrawn ten times a second), off one a plain line every 10 s, so a long stream
 * in a log or CI output is not silent between its start and its end. Where the source told a
 * read's size, the stream shows `n / total`, the percent and an ETA, and once every stream of the
 * sync is sized, so does the whole sync. Each stream's summary goes to stdout the moment it ends,
 * in both cases.
 */
export function showProgress(events: EngineEvents, options: ProgressOptions = {}): () => void {
  const stream = options.stream ?? process.stderr
  const summary = options.summary ?? ((line: string) => process.stdout.write(`${line}\n`))
  const now = options.now ?? (() => performance.now())
  const active = new Map<string, Active>()
  const whole: Whole = { sources: options.sources, listed: new Map(), ended: new Map() }
  let frame = 0
  let drawn = false
  const clear = () => {
    if (drawn) stream.write('\r\x1b[K')
    drawn = false
  }
  const partList = () => {
    const at = now()
    const streams = [...active.values()].map((a) => streamPart(a, at))
    const all = wholePart(whole, active, at)
    return all ? [...streams, all] : streams
  }
  const parts = () => partList().join('  │  ')
  const draw = () => {
    clear()
    if (active.size === 0) return
    const width = Math.max(20, (stream.columns ?? 100) - 1)
    // streams side by side share the one line: shortened rather than cut off (progress-fit.ts)
    const text = `${FRAMES[frame++ % FRAMES.length]} ${fitRunning(partList(), [...active.values()], width - 2)}`
    stream.write(text.slice(0, width))
    drawn = true
  }
  const line = () => {
    if (active.size > 0) stream.write(`… ${parts()}\n`)
  }
  if (stream.isTTY) progressHooks.clear = clear
  const timer = stream.isTTY ? setInterval(draw, 100) : setInterval(line, options.everyMs ?? 10_000)
  timer.unref()
  const off = [
    events.on('streams:listed', (e) => void whole.listed.set(e.source, e.streams)),
    events.on('run:start', (e) => active.set(`${e.source}.${e.stream}`, { name: `${e.source}.${e.stream}`, started: now(), rows: 0 })),
    events.on('connector', (e) => {
      const a = active.get(`${e.source}.${e.stream}`)
      // a new read told its size: its pace counts from here, and the last read's progress is gone
      if (a && e.type === 'size') Object.assign(a, { paced: [{ at: now(), done: 0 }], progress: undefined })
    }),
    events.on('page:committed', (e) => {
      const a = active.get(`${e.source}.${e.stream}`)
      if (!a) return
      a.rows = e.totals.fetched
      a.progress = e.progress
      if (e.progress && a.paced) keepPace(a.paced, { at: now(), done: e.progress.done })
    }),
    events.on('run:end', ({ summary: ended }) => {
      const name = `${ended.source}.${ended.stream}`
      active.delete(name)
      whole.ended.set(name, ended.fetched)
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

/** One running stream: its rows and pace, and, when its source told the read's size, how far through it is and when it should end. */
function streamPart(a: Active, at: number): string {
  const seconds = (at - a.started) / 1000
  const rate = seconds > 0.5 ? Math.round(a.rows / seconds) : 0
  const pace = rate ? ` ${formatNumber(rate)}/s` : ''
  const took = ` ${formatDuration(Math.round(seconds * 1000))}`
  const p = a.progress
  if (!p) return `${a.name} ${formatNumber(a.rows)} rows${pace}${took}`
  const eta = etaMs(p, a.paced, at)
  const through = `${percentOf(p.done, p.total)}${eta === undefined ? '' : ` ETA ${formatDuration(eta)}`}`
  if (p.unit === 'records') return `${a.name} ${formatNumber(p.done)} / ${formatNumber(p.total)} rows ${through}${pace}${took}`
  return `${a.name} ${formatNumber(a.rows)} rows, ${formatBytes(p.done)} / ${formatBytes(p.total)} ${through}${pace}${took}`
}

/** The time left at the read's pace so far; undefined before it has a pace, or once it is through its size. */
function etaMs(p: ReadProgress, paced: readonly Sample[] | undefined, at: number): number | undefined {
  const from = paced?.[0]
  const last = paced?.at(-1)
  if (!from || !last || last.at <= from.at || last.done <= from.done || p.done >= p.total) return undefined
  const msPerUnit = (last.at - from.at) / (last.done - from.done)
  // counted from the last commit, so the estimate counts down between commits rather than grow
  const left = Math.max(0, (p.total - p.done) * msPerUnit - (at - last.at))
  // whole seconds: a tenth of a second of an estimate is noise
  return Math.round(left / 1000) * 1000
}

/** Adds a commit's sample, dropping those older than the newest one at least PACE_MS old. */
function keepPace(paced: Sample[], sample: Sample): void {
  paced.push(sample)
  while (paced.length > 2 && paced[1].at <= sample.at - PACE_MS) paced.shift()
}

/**
 * The whole sync, when it can be told: every source listed its streams, and every one of them has
 * either ended (its rows are its total) or tells its read's size in records; a stream still
 * waiting, or sized in bytes only, leaves the whole unknown, and nothing is shown.
 */
function wholePart(whole: Whole, active: Map<string, Active>, at: number): string | undefined {
  if (whole.sources === undefined || whole.listed.size < whole.sources) return undefined
  const names = [...whole.listed].flatMap(([source, streams]) => streams.map((s) => `${source}.${s}`))
  if (names.length < 2) return undefined
  let done = 0
  let total = 0
  let eta: number | undefined = 0
  for (const name of names) {
    const ended = whole.ended.get(name)
    const a = active.get(name)
    if (ended !== undefined) {
      done += ended
      total += ended
    } else if (a?.progress?.unit === 'records') {
      done += a.rows
      // the rows of earlier reads of the run, and what is left of this one's size
      total += a.rows + Math.max(0, a.progress.total - a.progress.done)
      // the streams still running run side by side: the sync ends with the slowest, which a stream
      // with no pace yet leaves unknown
      const left = a.progress.done >= a.progress.total ? 0 : etaMs(a.progress, a.paced, at)
      eta = eta === undefined || left === undefined ? undefined : Math.max(eta, left)
    } else return undefined
  }
  return `all ${formatNumber(done)} / ${formatNumber(total)} rows ${percentOf(done, total)}${eta ? ` ETA ${formatDuration(eta)}` : ''}`
}

const percentOf = (done: number, total: number) => `${total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100}%`

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const [size, unit] = bytes < 1024 ** 2 ? [bytes / 1024, 'KiB'] : bytes < 1024 ** 3 ? [bytes / 1024 ** 2, 'MiB'] : [bytes / 1024 ** 3, 'GiB']
  return `${size.toFixed(1)} ${unit}`
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
