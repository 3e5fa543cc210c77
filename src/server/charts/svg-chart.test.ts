import { describe, expect, it } from 'vitest'
import { barChart, hbarChart, lineChart, niceTicks, timeScatter } from './svg-chart.ts'

describe('svg charts', () => {
  it('picks round ticks that cover the maximum, whole numbers for counts', () => {
    expect(niceTicks(4000)).toEqual([0, 1000, 2000, 3000, 4000])
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8])
    expect(niceTicks(1)).toEqual([0, 0.5, 1])
    expect(niceTicks(1, 4, true)).toEqual([0, 1])
    expect(niceTicks(0)).toEqual([0, 1])
  })

  it('draws bars, lines, points and labelled bars with axes, legends and tooltips, and no inline style', () => {
    const bars = barChart({ title: 'rows <by> day', labels: ['a', 'b'], series: [{ name: 'x', values: [1, 2] }, { name: 'y', values: [3, null] }], stacked: true }).__html
    expect(bars).toContain('<figcaption>rows &lt;by&gt; day</figcaption>')
    expect(bars.match(/<rect /g)).toHaveLength(3)
    expect(bars).toContain('<title>a · y: 3</title>')
    expect(bars).toContain('class="legend"')
    const line = lineChart({ title: 't', labels: ['a', 'b', 'c'], series: [{ name: 'r', values: [50, null, 100] }], yMax: 100 }).__html
    expect(line.match(/<circle /g)).toHaveLength(2)
    expect(line).toMatch(/d="M[\d.]+,[\d.]+ M[\d.]+,[\d.]+"/)
    const points = timeScatter({ title: 't', series: [{ name: 's', points: [{ at: new Date(0), value: 2, label: 'run #1' }] }] }).__html
    expect(points).toContain('<title>run #1</title>')
    const labelled = hbarChart({ title: 'errors', items: [{ label: '<b>', value: 3 }] }).__html
    expect(labelled).toContain('&lt;b&gt;')
    for (const svg of [bars, line, points, labelled]) expect(svg).not.toMatch(/style=|<script/)
  })
})
