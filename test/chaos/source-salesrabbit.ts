import { startSalesRabbitEmulator } from '../../emulators/salesrabbit/index.ts'
import { createRandom, deriveSeed } from '../../emulators/shared/random.ts'
import { contentHash } from './canonical.ts'
import { adminClient, emptyExpected, type Expected, type SourceHandle } from './expected.ts'
import type { MutationPlan } from './plan-chaos.ts'
import type { SourcePlan } from './scenario.ts'
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

  async function mutate(m: MutationPlan, clock: StampClock) {
    const at = isoStamp(m.kind === 'late-insert' ? clock.late((m.lateSeconds ?? 0) * 1000) : clock.next())
    const body: Record<string, unknown> = { table: m.stream, at }
    if (m.kind === 'update' || m.kind === 'tie') body.updates = m.count
    if (m.kind === 'insert' || m.kind === 'late-insert') body.inserts = m.count
    if (m.kind === 'delete') body.deletes = m.count
    await admin('/_admin/mutate', body)
  }

  async function truth(streams: readonly string[]) {
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
      for (const record of records) {
        const deleted = stream === 'leads' && record.deletedAt !== ''
        expected.rows.set(String(record.id), { hash: contentHash(record), deleted })
      }
      out.set(stream, expected)
    }
    return out
  }

  return {
    source: 'salesrabbit',
    env: emulator.env,
    configSection: { batchSize: plan.batchSize, retryBaseMs: 10, maxAttempts: 4 },
    notes: [],
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
    truth: (streams) => truth(streams),
    close: () => emulator.close(),
  }
}
