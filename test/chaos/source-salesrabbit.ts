import { startSalesRabbitEmulator } from '../../emulators/salesrabbit/index.ts'
import { createRandom, deriveSeed } from '../../emulators/shared/random.ts'
import { columnName } from '../../src/connectors/column-name.ts'
import { contentHash } from './canonical.ts'
import { salesRabbitBases } from './column-types.ts'
import { adminClient, emptyExpected, type ColumnSpec, type Expected, type SourceHandle } from './expected.ts'
import type { MutationPlan } from './plan-chaos.ts'
import { readInstant } from './read-value.ts'
import type { SourcePlan } from './scenario.ts'
import {
  describeAlter,
  laggingFields,
  recordAlter,
  withoutFields,
  type FieldHistory,
  type SchemaLog,
} from './schema-log.ts'
import { isoStamp, type StampClock } from './stamp-clock.ts'

/**
 * The SalesRabbit emulator for one scenario. Deletes are soft (`deletedAt`; a user is
 * deactivated), so everything is visible to an incremental read. Malformed records are phantom
 * leads the emulator slips into pages while the fault is on: never part of the truth, and never
 * allowed into the warehouse. So each run's phantoms are of one kind crmsync must reject (a bad
 * id or modification time): a phantom whose latitude is text would rightly load, its latitude
 * NULL (docs/design.md §3.11), as a lead the source does not have.
 */
const REJECTED_KINDS = ['id-not-numeric', 'missing-dateModified', 'bad-dateModified'] as const

export async function startSalesRabbitSource(plan: SourcePlan): Promise<SourceHandle> {
  const emulator = await startSalesRabbitEmulator({ rows: plan.rows, seed: plan.emulatorSeed })
  const admin = adminClient(emulator.url)
  const random = createRandom(deriveSeed(plan.emulatorSeed, 'phantom-kinds'))
  const get = async (path: string) => {
    const authorization = `Bearer ${emulator.env.SALESRABBIT_API_TOKEN}`
    const response = await fetch(`${emulator.url}${path}`, { headers: { authorization } })
    if (!response.ok) throw new Error(`SalesRabbit ${path}: ${response.status}`)
    return ((await response.json()) as { data: Record<string, unknown>[] }).data
  }

  const notes: string[] = []
  const schema: SchemaLog = new Map()

  async function mutate(m: MutationPlan, clock: StampClock) {
    if (m.alter) {
      // SalesRabbit stamps whole seconds: a touched lead's dateModified is the second of `at`
      const at = Math.floor(clock.next() / 1000) * 1000
      const { add, touch } = m.alter
      const answer = await admin('/_admin/alter', { resource: m.stream, add, touch, at: isoStamp(at) })
      recordAlter(schema, m.stream, m.alter, at)
      notes.push(
        `${describeAlter(m.stream, m.alter)}: ${answer.touched.length} records touched at ${isoStamp(at)}`,
      )
      return
    }
    const at = isoStamp(m.kind === 'late-insert' ? clock.late((m.lateSeconds ?? 0) * 1000) : clock.next())
    const body: Record<string, unknown> = { table: m.stream, at }
    if (m.kind === 'update' || m.kind === 'tie') body.updates = m.count
    if (m.kind === 'insert' || m.kind === 'late-insert') body.inserts = m.count
    if (m.kind === 'delete') body.deletes = m.count
    await admin('/_admin/mutate', body)
  }

  async function truth(streams: readonly string[], full: boolean) {
    const out = new Map<string, Expected>()
    for (const stream of streams) {
      const expected = emptyExpected(stream)
      const records: Record<string, unknown>[] = []
      if (stream === 'users') records.push(...(await get('/users?page=1&perPage=2000')))
      else {
        for (let page = 1; ; page++) {
          const data = await get(`/leads?page=${page}&perPage=2000`)
          records.push(...data)
          if (data.length < 2000) break
        }
      }
      const fields = schema.get(stream)
      for (const record of records) {
        const deleted = stream === 'leads' && record.deletedAt !== ''
        const key = String(record.id)
        if (stream !== 'leads') {
          expected.rows.set(key, { hash: contentHash(record), deleted })
          continue
        }
        const modified =
          typeof record.dateModified === 'string' ? readInstant(record.dateModified) : undefined
        const lagging = laggingFields(fields, modified, full)
        const lagHash = lagging.length ? contentHash(withoutFields(record, lagging)) : undefined
        expected.rows.set(key, { hash: contentHash(record), deleted, fields: record, lagging, lagHash })
      }
      if (stream === 'leads') expected.columns = leadColumns(records, schema.get(stream))
      out.set(stream, expected)
    }
    return out
  }

  return {
    source: 'salesrabbit',
    env: emulator.env,
    configSection: { batchSize: plan.batchSize, retryBaseMs: 10, maxAttempts: 4 },
    notes,
    async applyFaults(faults) {
      if (faults.transport) await admin('/_admin/faults', faults.transport)
      if (faults.salesrabbit) {
        const { malformed, ...rest } = faults.salesrabbit
        const kinded = malformed && { malformed: { ...malformed, kind: random.pick(REJECTED_KINDS) } }
        await admin('/_admin/source-faults', { ...rest, ...kinded })
      }
    },
    async clearFaults() {
      await admin('/_admin/faults', undefined, 'DELETE')
      await admin('/_admin/source-faults', undefined, 'DELETE')
    },
    mutate,
    truth: (streams, _judgeBefore, full) => truth(streams, full),
    close: () => emulator.close(),
  }
}

/**
 * A lead's keys as columns (`columnName`: camelCase to snake_case). A field the harness added has
 * a column once crmsync met a value in it (a field seen only as null waits, docs/design.md
 * §3.12), typed from the values: whole numbers may be bigint.
 */
function leadColumns(
  records: readonly Record<string, unknown>[],
  added: ReadonlyMap<string, FieldHistory> | undefined,
): ColumnSpec[] {
  const keys = new Set(records.flatMap((r) => Object.keys(r)))
  for (const name of added?.keys() ?? []) keys.add(name)
  return [...keys].map((key) => {
    const history = added?.get(key)
    if (!history) return { field: key, column: columnName(key), listed: true }
    const values = records.map((r) => r[key])
    const types = salesRabbitBases(history.types[0], values)
    return { field: key, column: columnName(key), listed: false, seenByValue: true, types }
  })
}
