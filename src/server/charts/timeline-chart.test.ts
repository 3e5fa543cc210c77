import { describe, expect, it } from 'vitest'
import { statusClass } from '../format.ts'
import { TIMELINE_STATUSES, timelineChart } from './timeline-chart.ts'

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute))

describe('the timeline chart', () => {
  const chart = timelineChart({
    title: 'runs <today>',
    lanes: [
      { name: 'a.one', href: '/monitoring/streams/a/one' },
      { name: 'b.<two>', href: '/monitoring/streams/b/two' },
    ],
    bars: [
      { runId: 1, lane: 'a.one', status: 'succeeded', start: at(0), end: at(30), label: 'run #1' },
      { runId: 2, lane: 'b.<two>', status: 'failed', start: at(30), end: at(30), label: 'run #2 <b>' },
      { runId: 3, lane: 'a.one', status: 'running', start: at(45), end: at(90), label: 'run #3' },
      { runId: 4, lane: 'nowhere', status: 'partial', start: at(0), end: at(1), label: 'run #4' },
    ],
    since: at(0),
    until: at(60),
    now: at(50),
  }).__html

  it('draws a bar per run in its lane, from its start to its end, clipped to the window', () => {
    const bars = [...chart.matchAll(/data-run-id="(\d+)" data-status="\w+" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"/g)].map((m) => ({ id: Number(m[1]), x: Number(m[2]), y: Number(m[3]), width: Number(m[4]) }))
    expect(bars.map((b) => b.id)).toEqual([1, 2, 3])
    const [first, second, third] = bars
    // half the window wide, from its left edge; a run of no time still gets a clickable bar
    expect(first.x).toBe(210)
    expect(first.width).toBeCloseTo((1200 - 210 - 16) / 2, 0)
    expect(second.width).toBe(2)
    expect(second.y).toBeGreaterThan(first.y)
    // a running run past the window's end stops at its edge
    expect(third.x + third.width).toBeCloseTo(1200 - 16, 0)
  })

  it('links each bar to its run, escapes every label and carries no inline style', () => {
    expect(chart).toContain('<a href="/monitoring/runs/2"><rect class="bar bad"')
    expect(chart).toContain('<title>run #2 &lt;b&gt;</title>')
    expect(chart).toContain('>b.&lt;two&gt;</text>')
    expect(chart).toContain('<figcaption>runs &lt;today&gt;</figcaption>')
    expect(chart).toContain('class="now"')
    expect(chart).not.toMatch(/style=|<script/)
  })

  it('names every outcome in its legend, each in a colour of its own', () => {
    for (const status of TIMELINE_STATUSES) expect(chart).toContain(`<li data-status="${status}"><span class="sw ${statusClass(status)}"></span>${status}</li>`)
    expect(new Set(TIMELINE_STATUSES.map(statusClass)).size).toBe(TIMELINE_STATUSES.length)
  })
})
