import { diffCount, type StreamDiff } from './compare.ts'
import type { ScenarioResult, SourceDiff } from './execute.ts'
import { faultLabels, type MutationPlan } from './plan-chaos.ts'
import type { KillPlan, ScenarioPlan, SourcePlan, StepPlan } from './scenario.ts'
import { describeAlter } from './schema-log.ts'

const CHANGE_WORDS = [
  ['tie', 'ties'],
  ['late-insert', 'late'],
  ['malformed', 'malformed'],
  ['delete', 'deletes'],
  ['reinsert', 're-inserts'],
] as const

const killTag = (k: KillPlan, via: StepPlan['via']) =>
  `${via === 'lib' ? 'stop' : k.signal === 'SIGKILL' ? 'kill' : k.signal}@` +
  (k.afterPages !== undefined ? `page${k.afterPages}` : `${((k.afterMs ?? 0) / 1000).toFixed(1)}s`)

/** `salespro[resumed](customer)+hubspot(contacts): --full, SIGINT@page3, 429 storm, 5xx, 23 changes, 2 ties, skew 512 s` */
export function describePlan(plan: ScenarioPlan): string {
  const shape = (s: SourcePlan) => `${s.shape === 'random' ? '' : `[${s.shape}]`}${s.slimRaw ? '[slim]' : ''}`
  const sources = plan.sources.map((s) => `${s.source}${shape(s)}(${s.streams.join(',')})`).join('+')
  const tags: string[] = []
  for (const step of plan.sources.flatMap((s) => s.steps)) {
    if (step.full) tags.push('--full')
    if (step.kill) tags.push(killTag(step.kill, step.via))
    const where = step.via === 'lib' ? ' in process' : ''
    if (step.maxRecords !== undefined) tags.push(`--max-records ${step.maxRecords}${where}`)
  }
  const steps = plan.sources.flatMap((s) => s.steps)
  tags.push(...new Set(steps.flatMap((step) => faultLabels(step.faults))))
  const all = [
    ...steps.flatMap((step) => [...step.before, ...step.mutations]),
    ...plan.sources.flatMap((s) => s.finalMutations),
  ]
  const changes = all.filter((m) => !isSchemaEvent(m))
  tags.push(`${changes.length} changes`)
  for (const [kind, word] of CHANGE_WORDS) {
    const n = changes.filter((m) => m.kind === kind).length
    if (n) tags.push(`${n} ${word}`)
  }
  const alters = all.flatMap((m) => m.alter ?? [])
  if (alters.length) {
    // +added ~retyped -dropped fields
    const counts = (['add', 'retype', 'drop'] as const).map((k) =>
      alters.reduce((n, a) => n + a[k].length, 0),
    )
    const signed = counts.flatMap((n, i) => (n ? [`${'+~-'[i]}${n}`] : []))
    tags.push(`${alters.length} alters (${signed.join(' ')})`)
  }
  const garbles = all.filter((m) => m.kind === 'garble').length
  if (garbles) tags.push(`${garbles} garbled`)
  const skew = Math.max(...plan.sources.map((s) => s.skewSeconds))
  if (skew) tags.push(`skew ${skew} s`)
  if (plan.sources.some((s) => s.malformedAtStart)) tags.push('malformed rows at start')
  if (plan.sources.some((s) => s.finalFull)) tags.push('final --full')
  tags.push(`pages of ${plan.sources.map((s) => s.batchSize).join('/')}`)
  return `${sources}: ${tags.join(', ')}`
}

const keys = (list: string[]) => {
  const shown = list.slice(0, 5).map((k) => k.replaceAll('\u001f', '/'))
  return ` (${list.length > 5 ? `${shown.join(', ')}, …` : shown.join(', ')})`
}

const counted = (word: string, list: string[]) => `${word} ${list.length}${list.length ? keys(list) : ''}`

/** `lost 2 (a, b), stale 1 (c), duplicated 0` for one stream */
export function describeDiff(d: StreamDiff): string {
  const parts = [counted('lost', d.lost), counted('stale', d.stale), counted('duplicated', d.duplicated)]
  if (d.wronglyDeleted.length) parts.push(counted('soft-deleted but live at the source', d.wronglyDeleted))
  if (d.notDeleted.length) parts.push(counted('live but gone or deleted at the source', d.notDeleted))
  if (d.unrejected.length) parts.push(`malformed but not in crmsync.rejects ${d.unrejected.length}`)
  if (d.missingColumns.length) parts.push(counted('fields without a column', d.missingColumns))
  if (d.wrongTypes.length) parts.push(counted('columns of the wrong type', d.wrongTypes))
  if (d.wrongValues.length) parts.push(counted('wrong values', d.wrongValues))
  return parts.join(', ')
}

export function scenarioLine(r: ScenarioResult): string {
  const head = `scenario ${r.plan.index} seed ${r.plan.seed}: ${describePlan(r.plan)}`
  const time = `${(r.ms / 1000).toFixed(1)} s`
  if (r.passed) return `${head} … passed in ${time}`
  const differing = r.diffs.filter((d) => diffCount(d.diff) > 0)
  const where = (d: SourceDiff) => `${d.source}.${d.diff.stream}${d.after === 'full' ? ' after --full' : ''}`
  const reasons = [...r.problems, ...differing.map((d) => `${where(d)} ${describeDiff(d.diff)}`)]
  const kept = r.database ? ` [database ${r.database} kept]` : ''
  return `${head} … FAILED in ${time}: ${reasons.join('; ')}${kept}`
}

const isSchemaEvent = (m: MutationPlan) => m.kind === 'alter' || m.kind === 'garble'

/**
 * A source's schema events where they land, for `--verbose`: `before run 2: alter customer:
 * +loyalty_tier VARCHAR, touch 3; during run 1 (+640 ms): garble estimate.finance_amount ×2`.
 */
export function describeSchemaEvents(plan: SourcePlan): string | undefined {
  const what = (m: MutationPlan) =>
    m.alter
      ? `alter ${describeAlter(m.stream, m.alter)}`
      : `garble ${m.stream}${m.field ? `.${m.field.name}` : ''} ×${m.count}`
  const parts: string[] = []
  plan.steps.forEach((step, i) => {
    for (const m of step.before.filter(isSchemaEvent)) parts.push(`before run ${i + 1}: ${what(m)}`)
    for (const m of step.mutations.filter(isSchemaEvent))
      parts.push(`during run ${i + 1} (+${m.delayMs} ms): ${what(m)}`)
  })
  for (const m of plan.finalMutations.filter(isSchemaEvent))
    parts.push(`before the convergence run: ${what(m)}`)
  return parts.length ? `${plan.source} schema events: ${parts.join('; ')}` : undefined
}

/** what happened in a scenario, indented under its line */
export const eventLines = (r: ScenarioResult) => r.events.map((e) => `    ${e}`).join('\n')

export function summary(results: readonly ScenarioResult[], reproduce: (seed: number) => string): string {
  const failed = results.filter((r) => !r.passed)
  const passed = results.length - failed.length
  const lines = [`${results.length} scenarios, ${passed} passed, ${failed.length} failed`]
  for (const r of failed) {
    lines.push(`  scenario ${r.plan.index} (seed ${r.plan.seed}): ${reproduce(r.plan.seed)}`)
    if (r.events.length) lines.push(eventLines(r))
  }
  return lines.join('\n')
}
