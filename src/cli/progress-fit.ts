import { formatNumber } from './output.ts'

/** One running stream as the short form shows it. */
export interface RunningStream {
  /** `source.stream` */
  name: string
  rows: number
}

const WIDE = '  │  '
const NARROW = ' · '

/**
 * The live line's text for streams running side by side, in at most `width` characters: each
 * stream in full when they all fit; else each by name and rows (without the source when they share
 * one), `4 running: customer 1,200 · estimate 800`; else as many of those as fit and how many more
 * run, so no stream is cut in the middle and the count of those running is always there.
 */
export function fitRunning(full: readonly string[], running: readonly RunningStream[], width: number): string {
  const wide = full.join(WIDE)
  if (wide.length <= width || running.length < 2) return wide
  const sources = new Set(running.map((r) => r.name.split('.')[0]))
  const label = (r: RunningStream) => `${sources.size === 1 ? r.name.slice(r.name.indexOf('.') + 1) : r.name} ${formatNumber(r.rows)}`
  const head = `${running.length} running: `
  const shown: string[] = []
  for (const [index, r] of running.entries()) {
    const rest = running.length - index - 1
    const candidate = [...shown, label(r)].join(NARROW)
    const tail = rest > 0 ? ` +${rest} more` : ''
    if ((head + candidate + tail).length > width && shown.length > 0) return `${head}${shown.join(NARROW)} +${running.length - shown.length} more`
    shown.push(label(r))
  }
  return head + shown.join(NARROW)
}
