import { statusClass } from '../format.ts'
import { html, type SafeHtml } from '../html.ts'

/**
 * The runs timeline, drawn on the server as SVG: one lane per stream, one bar per run from its
 * start to its end (a running run's end is now), coloured by outcome through the same classes as
 * the status badges, each bar a link to its run's page with a native tooltip. No inline style.
 */
export interface TimelineBar {
  runId: number
  /** `source.stream` */
  lane: string
  status: string
  start: Date
  end: Date
  /** the tooltip */
  label: string
}

export interface TimelineOptions {
  title: string
  /** the lanes in order, each with the link of its label */
  lanes: { name: string; href: string }[]
  bars: TimelineBar[]
  since: Date
  until: Date
  now: Date
}

/** the outcomes the legend names, in the order a person reads them */
export const TIMELINE_STATUSES = ['succeeded', 'partial', 'failed', 'cancelled', 'skipped', 'running'] as const

const W = 1200
const LABEL = 210
const RIGHT = 16
const LANE = 24
const TOP = 8
const AXIS = 30
/** a run of a second in a month's window still gets a bar one can hover and click */
const MIN_BAR = 2

/** Tick labels: dates for long windows, times of day for short ones. */
function tickText(t: number, span: number): string {
  const iso = new Date(t).toISOString()
  if (span > 4 * 86_400_000) return iso.slice(5, 10)
  if (span > 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`
  return span > 20 * 60_000 ? iso.slice(11, 16) : iso.slice(11, 19)
}

function axis(x: (t: number) => number, since: number, until: number, bottom: number): SafeHtml {
  const span = until - since
  const ticks = Array.from({ length: 7 }, (_, i) => since + (span * i) / 6)
  return html`${ticks.map(
    (t, i) => html`<line class="grid" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${TOP}" y2="${bottom}"/>
<text class="tick" x="${x(t).toFixed(1)}" y="${bottom + 16}" text-anchor="${i === 0 ? 'start' : i === 6 ? 'end' : 'middle'}">${tickText(t, span)}</text>`,
  )}<line class="axis" x1="${LABEL}" x2="${W - RIGHT}" y1="${bottom}" y2="${bottom}"/>`
}

export function timelineChart(options: TimelineOptions): SafeHtml {
  const since = options.since.getTime()
  const until = Math.max(options.until.getTime(), since + 1000)
  const x = (t: number) => LABEL + ((Math.min(Math.max(t, since), until) - since) / (until - since)) * (W - LABEL - RIGHT)
  const laneIndex = new Map(options.lanes.map((l, i) => [l.name, i]))
  const bottom = TOP + options.lanes.length * LANE
  const height = bottom + AXIS
  const lanes = options.lanes.map(
    (l, i) => html`<rect class="lane" x="${LABEL}" y="${TOP + i * LANE + 1}" width="${W - LABEL - RIGHT}" height="${LANE - 2}"/>
<a href="${l.href}"><text class="lane-label" x="${LABEL - 8}" y="${TOP + i * LANE + 16}" text-anchor="end">${l.name.length > 32 ? `${l.name.slice(0, 31)}…` : l.name}</text></a>`,
  )
  const bars = options.bars.map((b) => {
    const lane = laneIndex.get(b.lane)
    if (lane === undefined) return ''
    const left = x(b.start.getTime())
    const width = Math.max(MIN_BAR, x(b.end.getTime()) - left)
    return html`<a href="/monitoring/runs/${b.runId}"><rect class="bar ${statusClass(b.status)}" data-run-id="${b.runId}" data-status="${b.status}" x="${left.toFixed(1)}" y="${TOP + lane * LANE + 4}" width="${width.toFixed(1)}" height="${LANE - 8}"><title>${b.label}</title></rect></a>`
  })
  const now = options.now.getTime()
  const nowLine = now > since && now < until ? html`<line class="now" x1="${x(now).toFixed(1)}" x2="${x(now).toFixed(1)}" y1="${TOP}" y2="${bottom}"><title>now</title></line>` : ''
  const legend = html`<ul class="legend" id="timeline-legend">${TIMELINE_STATUSES.map((s) => html`<li data-status="${s}"><span class="sw ${statusClass(s)}"></span>${s}</li>`)}</ul>`
  return html`<figure class="chart timeline"><figcaption>${options.title}</figcaption>
<svg viewBox="0 0 ${W} ${height}" role="img" aria-label="${options.title}" preserveAspectRatio="xMinYMin meet">${lanes}${axis(x, since, until, bottom)}${bars}${nowLine}
<text class="axis-label" x="${W - RIGHT}" y="${height - 2}" text-anchor="end">UTC</text></svg>
${legend}</figure>`
}
