import { readdirSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fmt } from './lib.ts'

/** The parts of a `node --cpu-prof` file this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; positionTicks?: { line: number; ticks: number }[]; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export interface ProfileArea {
  area: string
  ms: number
  share: number
  /** the area's functions with the most self time */
  top: { name: string; ms: number }[]
}

export interface ProfileSummary {
  totalMs: number
  areas: ProfileArea[]
}

// Where the time goes, by the file a function comes from (the bundle's source map gives crmsync's
// own files back). Order matters: the first that matches names the area.
const BY_SOURCE: [area: string, test: RegExp][] = [
  ['CSV scanning (Athena result to byte ranges, rows the lane leaves to typed values)', /src\/connectors\/salespro\/(athena-csv|client)\.ts|src\/connectors\/salespro\/streams\//],
  ['the byte lane (plain checks, `_raw` JSON from bytes)', /src\/connectors\/salespro\/byte-lane\.ts/],
  ['validation (zod, processors)', /node_modules\/zod\/|src\/connectors\/processors\.ts/],
  ['hashing', /node:internal\/crypto\//],
  ['COPY encoding', /src\/warehouse\/(merge|copy-text|staged-rows)\.ts|src\/copy-bytes\.ts|node_modules\/pg-copy-streams\//],
  ['pg protocol', /node_modules\/(pg|pg-protocol|pg-pool)\/|node:net|node:internal\/stream_base_commons/],
  ['S3 read (AWS SDK, HTTP)', /node_modules\/@aws-sdk\/|node_modules\/@smithy\/|node:_http|node:http/],
  ['start-up (module loading)', /node:internal\/modules\/|node:internal\/bootstrap\/|node:internal\/deps\/cjs-module-lexer/],
]

// Builtins (JSON.stringify, crypto's hash) count as their caller's self time: the caller's line says which
const BY_LINE: [area: string, test: RegExp][] = [
  ['`_raw` JSON', /JSON\.stringify\(record\.raw/],
  ['hashing', /\bhash\("sha256"/],
  ['validation (zod, processors)', /safeParse\(|processValue\(/],
]

const IDLE = 'idle'
const GC = 'garbage collection'

/** Reads the one `.cpuprofile` in `dir` and sums its self time by area. */
export function summarizeProfile(dir: string): ProfileSummary {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))
  if (!file) throw new Error(`no .cpuprofile in ${dir}`)
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile
  // a sample's time is the gap to the next one (as Chrome's profiler counts it)
  const selfMs = new Map<number, number>()
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000))

  const sources = new SourceFiles()
  const sourceOf = (node: CpuProfile['nodes'][number]) => sources.original(node.callFrame.url, node.callFrame.lineNumber, node.callFrame.columnNumber)
  // a function of no area (Buffer's, a builtin, crmsync's own glue) counts in its caller's
  const parents = new Map<number, CpuProfile['nodes'][number]>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node)
  const areaMemo = new Map<number, string>()
  const areaOf = (node: CpuProfile['nodes'][number] | undefined): string => {
    if (!node) return 'other'
    if (!areaMemo.has(node.id)) {
      const source = sourceOf(node)
      areaMemo.set(node.id, BY_SOURCE.find(([, test]) => test.test(source))?.[0] ?? areaOf(parents.get(node.id)))
    }
    return areaMemo.get(node.id) as string
  }
  const areas = new Map<string, Map<string, number>>()
  const add = (area: string, name: string, ms: number) => {
    const names = areas.get(area) ?? new Map<string, number>()
    names.set(name, (names.get(name) ?? 0) + ms)
    areas.set(area, names)
  }
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0
    if (ms === 0) continue
    const { functionName, url } = node.callFrame
    if (functionName === '(idle)') add(IDLE, '(idle)', ms)
    else if (functionName === '(garbage collector)') add(GC, '(garbage collector)', ms)
    else {
      const name = `${functionName || '(anonymous)'} (${shortName(sourceOf(node))})`
      const fallback = areaOf(node)
      const ticks = node.positionTicks ?? []
      const allTicks = ticks.reduce((n, t) => n + t.ticks, 0)
      if (allTicks === 0) add(fallback, name, ms)
      for (const { line, ticks: count } of ticks) {
        const text = sources.generatedLine(url, line)
        add(BY_LINE.find(([, test]) => test.test(text))?.[0] ?? fallback, name, (ms * count) / allTicks)
      }
    }
  }
  const totalMs = (profile.endTime - profile.startTime) / 1000
  const summary = [...areas].map(([area, names]): ProfileArea => {
    const ms = [...names.values()].reduce((n, v) => n + v, 0)
    const top = [...names].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, v]) => ({ name, ms: v }))
    return { area, ms, share: ms / totalMs, top }
  })
  // idle and GC first, then the areas by time, "other" last
  const rank = (a: ProfileArea) => (a.area === IDLE ? 0 : a.area === GC ? 1 : a.area === 'other' ? 3 : 2)
  summary.sort((a, b) => rank(a) - rank(b) || b.ms - a.ms)
  return { totalMs, areas: summary }
}

/** Sources by their bundle's source map, and the bundle's own lines, each file read once. */
class SourceFiles {
  private maps = new Map<string, SourceMap | undefined>()
  private lines = new Map<string, string[]>()

  /** the original file of a function in the bundle (dist/…), else the url itself */
  original(url: string, line: number, column: number): string {
    const map = this.map(url)
    const entry = map?.findEntry(line, column) as { originalSource?: string } | undefined
    return entry?.originalSource ?? url
  }

  /** the bundle's text at a 1-based line ('' for node's own modules) */
  generatedLine(url: string, line: number): string {
    if (!url.startsWith('file://')) return ''
    if (!this.lines.has(url)) this.lines.set(url, readText(fileURLToPath(url)).split('\n'))
    return this.lines.get(url)?.[line - 1] ?? ''
  }

  private map(url: string): SourceMap | undefined {
    if (!url.startsWith('file://') || !url.includes('/dist/')) return undefined
    if (!this.maps.has(url)) {
      const text = readText(`${fileURLToPath(url)}.map`)
      this.maps.set(url, text ? new SourceMap(JSON.parse(text)) : undefined)
    }
    return this.maps.get(url)
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

/** `src/engine/prepare-page.ts`, `zod`, `node:internal/crypto/hash`: enough to find it */
function shortName(source: string): string {
  if (source === '') return 'native'
  const nodeModule = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)
  if (nodeModule) return nodeModule[1]
  const own = /(src\/.+)$/.exec(source)
  return own ? own[1] : source
}

/** The summary as a markdown table. */
export function renderProfile(p: ProfileSummary): string[] {
  return [
    '| area | share of the profile | self time | its top functions (self time) |',
    '|---|---|---|---|',
    ...p.areas.map((a) => `| ${a.area} | ${fmt(a.share * 100, 1)}% | ${fmt(a.ms / 1000, 2)} s | ${a.area === IDLE || a.area === GC ? '' : a.top.map((t) => `${t.name.replaceAll('|', '\\|')} ${fmt(t.ms)} ms`).join('; ')} |`),
  ]
}
