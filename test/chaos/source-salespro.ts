import { startSalesProEmulator } from '../../emulators/salespro/index.ts'
import { createRandom, deriveSeed } from '../../emulators/shared/random.ts'
import { selectAll } from './athena-select.ts'
import { SALESPRO_KEYS, SALESPRO_TABLES } from './catalog.ts'
import { adminClient, type Expected, type SourceHandle } from './expected.ts'
import { HUBSPOT_TEXTS, MONEY_TEXTS } from './garble-values.ts'
import type { MutationPlan } from './plan-chaos.ts'
import type { SourcePlan } from './scenario.ts'
import { describeAlter, recordAlter, type SchemaLog } from './schema-log.ts'
import { athenaStamp, type StampClock } from './stamp-clock.ts'
import { salesProExpected } from './truth-salespro.ts'

/**
 * The SalesPro (Athena) emulator for one scenario. Its deletes are hard deletes, which no
 * incremental read can see (Athena has no change feed): a row deleted at the source is tolerated
 * as live unless a complete full pass (fresh or resumed) began its final part after the delete;
 * then it must be soft-deleted. A re-insert brings a deleted key back as a new record.
 */
export async function startSalesProSource(plan: SourcePlan): Promise<SourceHandle> {
  const tables = [...new Set(plan.streams.map((s) => SALESPRO_TABLES[s]))]
  const emulator = await startSalesProEmulator({
    rows: plan.rows,
    seed: plan.emulatorSeed,
    only: tables,
    malformed: plan.malformedAtStart,
  })
  const admin = adminClient(emulator.url)
  // table → key → when the harness last saw the delete done (after the emulator's answer)
  const deleted = new Map<string, Map<string, number>>()
  const gone = new Map<string, Set<string>>()
  const notes: string[] = []
  const schema: SchemaLog = new Map()
  const random = createRandom(deriveSeed(plan.emulatorSeed, 'garbles'))
  const keysOf = <T>(map: Map<string, T>, table: string, empty: () => T) => {
    if (!map.has(table)) map.set(table, empty())
    return map.get(table) as T
  }

  async function mutate(m: MutationPlan, clock: StampClock, keys?: readonly string[]) {
    const table = SALESPRO_TABLES[m.stream]
    if (m.alter) {
      const at = clock.next()
      const answer = await admin('/_admin/alter', { table, ...m.alter, at: athenaStamp(at) })
      recordAlter(schema, table, m.alter, at)
      const touched = `${answer.touched.length} rows touched at ${athenaStamp(at)}`
      notes.push(`${describeAlter(table, m.alter)}: ${touched}`)
      return
    }
    if (m.kind === 'garble' && m.field) {
      // rows a person edits (a random update), then the field typed over in the same rows
      const picked = await admin('/_admin/mutate', { table, updates: m.count, at: athenaStamp(clock.next()) })
      const texts = m.field.reads === 'number' ? MONEY_TEXTS : HUBSPOT_TEXTS[m.field.reads]
      const updates = (picked.updated as { key: string }[]).map(({ key }) => ({
        key,
        set: { [m.field!.name]: random.pick(texts) },
      }))
      await admin('/_admin/mutate', { table, updates, at: athenaStamp(clock.next()) })
      const values = updates.map((u) => JSON.stringify(u.set[m.field!.name])).join(', ')
      notes.push(`${table}.${m.field.name} typed over in ${updates.length} rows: ${values}`)
      return
    }
    const body: Record<string, unknown> = { table }
    const missing = [...keysOf(gone, table, () => new Set<string>())]
    if (m.kind === 'reinsert' && missing.length) {
      // the same key back, as a new record stamped now (a generated row with the old key)
      body.inserts = missing.slice(0, m.count).map((key) => ({ [SALESPRO_KEYS[table]]: key }))
    } else if (m.kind === 'reinsert') body.inserts = m.count
    else if (m.kind === 'update' || (m.kind === 'tie' && table !== 'user_activity')) body.updates = m.count
    else if (m.kind === 'insert' || m.kind === 'tie') body.inserts = m.count
    else if (m.kind === 'late-insert') body.inserts = m.count
    else if (m.kind === 'delete') body.deletes = keys?.length ? keys.slice(0, m.count) : m.count
    else if (m.kind === 'malformed') body.inserts = malformedRows(table, m.count)
    body.at = athenaStamp(m.kind === 'late-insert' ? clock.late((m.lateSeconds ?? 0) * 1000) : clock.next())
    const answer = await admin('/_admin/mutate', body)
    const done = Date.now()
    for (const key of answer.deleted ?? []) {
      keysOf(deleted, table, () => new Map<string, number>()).set(String(key), done)
      keysOf(gone, table, () => new Set<string>()).add(String(key))
    }
    for (const row of answer.inserted ?? []) gone.get(table)?.delete(String(row.key))
  }

  return {
    source: 'salespro',
    env: emulator.env,
    configSection: { batchSize: plan.batchSize, maxPollMs: 100 },
    notes,
    async applyFaults(faults) {
      if (faults.transport) await admin('/_admin/faults', faults.transport)
      if (faults.athena) await admin('/_admin/source-faults', faults.athena)
    },
    async clearFaults() {
      await admin('/_admin/faults', undefined, 'DELETE')
      await admin('/_admin/source-faults', undefined, 'DELETE')
    },
    mutate,
    async truth(streams, judgeBefore, full) {
      const rowsOf = new Map<string, Awaited<ReturnType<typeof selectAll>>>()
      for (const table of new Set(streams.map((s) => SALESPRO_TABLES[s]))) {
        rowsOf.set(table, await selectAll(emulator.env, table))
      }
      const out = new Map<string, Expected>()
      for (const stream of streams) {
        const table = SALESPRO_TABLES[stream]
        const athena = rowsOf.get(table) ?? { columns: [], rows: [] }
        const expected = salesProExpected(stream, athena, { fields: schema.get(table), full })
        const present = new Set(athena.rows.map((row) => row[SALESPRO_KEYS[table]]))
        const judgeUntil = judgeBefore.get(stream) ?? -Infinity
        sortDeletes(expected, stream, deleted.get(table), present, judgeUntil)
        out.set(stream, expected)
      }
      return out
    },
    close: () => emulator.close(),
  }
}

/** Rows crmsync must reject: a NULL key, a blank key, and (lead results) JSON that does not parse. */
function malformedRows(table: string, count: number): Record<string, string | null>[] {
  const key = SALESPRO_KEYS[table]
  const kinds: Record<string, string | null>[] =
    table === 'lead_results'
      ? [{ lead_results: '[{"title": "Result", "value": ' }, { lead_results: "[{'title': 'x'}]" }, { [key]: '' }]
      : table === 'user_activity'
        ? [{ created_at: null }]
        : [{ [key]: null }, { [key]: '' }, { [key]: '   ' }]
  return Array.from({ length: count }, (_, i) => kinds[i % kinds.length])
}

/**
 * Keys the harness deleted that are still gone (a re-insert brings one back): judged when a
 * complete full pass began its final part after the delete, tolerated as live otherwise.
 */
function sortDeletes(
  expected: Expected,
  stream: string,
  keys: Map<string, number> | undefined,
  present: Set<string | null>,
  judgeUntil: number,
) {
  for (const [key, at] of keys ?? []) {
    if (present.has(key)) continue
    const judged = at < judgeUntil
    const scoped = stream === 'lead_result_line_item'
    if (scoped) (judged ? expected.judgedScopes : expected.toleratedScopes).add(key)
    else (judged ? expected.judged : expected.tolerated).add(key)
  }
}
