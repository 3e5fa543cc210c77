import { html, type SafeHtml } from '../html.ts'

/**
 * A small, dependency-free SVG chart renderer, drawn on the server: bars (grouped or stacked), lines
 * and a time scatter, each with axes, ticks, a legend and native tooltips (<title>). Colours come
 * from the stylesheet through classes (`s0`…`s5`, or a status class), so the markup carries no
 * inline style and passes a strict Content-Security-Policy.
 */
export interface Series {
  name: string
  values: (number | null)[]
  /** a CSS class for its colour; `s<index>` by default */
  cls?: string
}

interface Common {
  title: string
  yFormat?: (n: number) => string
  /** the unit under the y axis: `rows`, `seconds`, `%` */
  yLabel?: string
  height?: number
}

const W = 640
const M = { top: 12, right: 12, bottom: 34, left: 56 }

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 × 10^k. */
export function niceTicks(max: number, count = 4, integer = false): number[] {
  if (!(max > 0)) return [0, 1]
  const rough = max / count
  const power = 10 ** Math.floor(Math.log10(rough))
  const nice = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) as number
  // counts (runs, rows) never get a tick at 0.5
  const step = integer ? Math.max(1, nice) : nice
  const ticks: number[] = []
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)))
  return ticks
}

const allIntegers = (values: (number | null)[]) => values.every((v) => v === null || Number.isInteger(v))
const compact = (n: number) => (Math.abs(n) >= 1e6 ? `${+(n / 1e6).toFixed(1)}M` : Math.abs(n) >= 1e4 ? `${+(n / 1e3).toFixed(1)}k` : `${+n.toFixed(2)}`)
const cls = (s: Series, i: number) => s.cls ?? `s${i % 6}`

function frame(title: string, height: number, body: SafeHtml, legend: Series[]): SafeHtml {
  return html`<figure class="chart"><figcaption>${title}</figcaption>
<svg viewBox="0 0 ${W} ${height}" role="img" aria-label="${title}" preserveAspectRatio="xMidYMid meet">${body}</svg>
${legend.length > 1 ? html`<ul class="legend">${legend.map((s, i) => html`<li><span class="sw ${cls(s, i)}"></span>${s.name}</li>`)}</ul>` : ''}</figure>`
}

/** The y axis with grid lines; returns the scale. */
function yAxis(ticks: number[], height: number, format: (n: number) => string, label?: string) {
  const top = ticks[ticks.length - 1] || 1
  const y = (v: number) => height - M.bottom - (v / top) * (height - M.top - M.bottom)
  const marks = ticks.map(
    (t) => html`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}"/><text class="tick" x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${format(t)}</text>`,
  )
  const caption = label ? html`<text class="axis-label" x="12" y="${(height - M.bottom + M.top) / 2}" transform="rotate(-90 12 ${(height - M.bottom + M.top) / 2})" text-anchor="middle">${label}</text>` : ''
  return { y, body: html`${marks}${caption}<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${y(0)}" y2="${y(0)}"/>` }
}

/** Category labels under the x axis, thinned so they never overlap. */
function xLabels(labels: string[], x: (i: number) => number, height: number): SafeHtml {
  const every = Math.max(1, Math.ceil(labels.length / 8))
  // the last label ends at its bar rather than centring on it, so a long one is not cut at the edge
  const anchor = (i: number) => (i === labels.length - 1 && labels.length > 1 ? 'end' : 'middle')
  return html`${labels.map((l, i) => (i % every === 0 ? html`<text class="tick" x="${x(i)}" y="${height - M.bottom + 16}" text-anchor="${anchor(i)}">${l}</text>` : ''))}`
}

export function barChart(options: Common & { labels: string[]; series: Series[]; stacked?: boolean }): SafeHtml {
  const { labels, series, stacked = false } = options
  const height = options.height ?? 220
  const format = options.yFormat ?? compact
  const totals = labels.map((_, i) => (stacked ? series.reduce((n, s) => n + (s.values[i] ?? 0), 0) : Math.max(0, ...series.map((s) => s.values[i] ?? 0))))
  const axis = yAxis(niceTicks(Math.max(0, ...totals), 4, allIntegers(series.flatMap((s) => s.values))), height, format, options.yLabel)
  const band = (W - M.left - M.right) / Math.max(1, labels.length)
  const x = (i: number) => M.left + band * (i + 0.5)
  const barWidth = Math.max(1, band * 0.7) / (stacked ? 1 : Math.max(1, series.length))
  const bars = labels.map((label, i) => {
    let base = 0
    return series.map((s, k) => {
      const v = s.values[i] ?? 0
      if (v <= 0) return ''
      const left = stacked ? x(i) - barWidth / 2 : x(i) - (barWidth * series.length) / 2 + k * barWidth
      const y0 = axis.y(stacked ? base : 0)
      const y1 = axis.y((stacked ? base : 0) + v)
      base += v
      return html`<rect class="${cls(s, k)}" x="${left.toFixed(1)}" y="${y1.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${Math.max(0.5, y0 - y1).toFixed(1)}"><title>${label} · ${s.name}: ${format(v)}</title></rect>`
    })
  })
  return frame(options.title, height, html`${axis.body}${bars}${xLabels(labels, x, height)}`, series)
}

/** Lines over categories (days, hours); a null value leaves a gap. */
export function lineChart(options: Common & { labels: string[]; series: Series[]; yMax?: number }): SafeHtml {
  const { labels, series } = options
  const height = options.height ?? 220
  const format = options.yFormat ?? compact
  const max = options.yMax ?? Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0)))
  const axis = yAxis(niceTicks(max, 4, allIntegers(series.flatMap((s) => s.values))), height, format, options.yLabel)
  const step = (W - M.left - M.right) / Math.max(1, labels.length)
  const x = (i: number) => M.left + step * (i + 0.5)
  const lines = series.map((s, k) => {
    const segments: string[] = []
    s.values.forEach((v, i) => v !== null && segments.push(`${segments.length && s.values[i - 1] !== null ? 'L' : 'M'}${x(i).toFixed(1)},${axis.y(v).toFixed(1)}`))
    const dots = s.values.map((v, i) => (v === null ? '' : html`<circle class="${cls(s, k)}" cx="${x(i).toFixed(1)}" cy="${axis.y(v).toFixed(1)}" r="3"><title>${labels[i]} · ${s.name}: ${format(v)}</title></circle>`))
    return html`<path class="line ${cls(s, k)}" d="${segments.join(' ')}"/>${dots}`
  })
  return frame(options.title, height, html`${axis.body}${lines}${xLabels(labels, x, height)}`, series)
}

export interface TimePoint {
  at: Date
  value: number
  /** the tooltip */
  label: string
}

/** Points over time, one colour per series (durations of runs, by source). */
export function timeScatter(options: Common & { series: { name: string; cls?: string; points: TimePoint[] }[] }): SafeHtml {
  const height = options.height ?? 220
  const format = options.yFormat ?? compact
  const all = options.series.flatMap((s) => s.points)
  const axis = yAxis(niceTicks(Math.max(0, ...all.map((p) => p.value))), height, format, options.yLabel)
  const first = Math.min(...all.map((p) => p.at.getTime()))
  const last = Math.max(...all.map((p) => p.at.getTime()))
  // at least a minute wide, with a margin on both sides so no point sits on an axis
  const pad = Math.max(30_000, (last - first) * 0.05)
  const [t0, t1] = [first - pad, last + pad]
  const x = (t: number) => M.left + ((t - t0) / (t1 - t0)) * (W - M.left - M.right)
  const ticks = Array.from({ length: 5 }, (_, i) => t0 + ((t1 - t0) * (i + 0.5)) / 5)
  const span = t1 - t0
  const [from, to] = span > 2 * 86_400_000 ? [5, 16] : span > 20 * 60_000 ? [11, 16] : [11, 19]
  const tickText = (t: number) => new Date(t).toISOString().slice(from, to).replace('T', ' ')
  const xTicks = ticks.map((t) => html`<text class="tick" x="${x(t).toFixed(1)}" y="${height - M.bottom + 16}" text-anchor="middle">${tickText(t)}</text>`)
  const dots = options.series.map((s, k) =>
    s.points.map((p) => html`<circle class="${s.cls ?? `s${k % 6}`}" cx="${x(p.at.getTime()).toFixed(1)}" cy="${axis.y(p.value).toFixed(1)}" r="3.5"><title>${p.label}</title></circle>`),
  )
  const caption = html`<text class="axis-label" x="${W - M.right}" y="${height - 2}" text-anchor="end">UTC</text>`
  return frame(options.title, height, html`${axis.body}${dots}${xTicks}${caption}`, options.series.map((s) => ({ name: s.name, cls: s.cls, values: [] })))
}

/** Horizontal bars with their values written beside them (error kinds, rows by source). */
export function hbarChart(options: { title: string; items: { label: string; value: number; cls?: string }[]; format?: (n: number) => string }): SafeHtml {
  const format = options.format ?? compact
  const row = 26
  const height = options.items.length * row + 8
  const labelWidth = 170
  const max = Math.max(1, ...options.items.map((i) => i.value))
  const bars = options.items.map((item, i) => {
    const w = ((W - labelWidth - 80) * item.value) / max
    const y = 4 + i * row
    return html`<text class="tick" x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${item.label.length > 26 ? `${item.label.slice(0, 25)}…` : item.label}</text>
<rect class="${item.cls ?? 's0'}" x="${labelWidth}" y="${y + 3}" width="${Math.max(1, w).toFixed(1)}" height="${row - 8}"><title>${item.label}: ${format(item.value)}</title></rect>
<text class="value" x="${(labelWidth + Math.max(1, w) + 6).toFixed(1)}" y="${y + 16}">${format(item.value)}</text>`
  })
  return frame(options.title, height, html`${bars}`, [])
}
