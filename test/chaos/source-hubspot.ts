import { startHubSpotEmulator } from '../../emulators/hubspot/index.ts'
import type { Random } from '../../emulators/shared/random.ts'
import { createRandom, deriveSeed } from '../../emulators/shared/random.ts'
import { HUBSPOT_OBJECTS } from './catalog.ts'
import { adminClient, type Expected, type SourceHandle } from './expected.ts'
import { HUBSPOT_TEXTS } from './garble-values.ts'
import { hubSpotApi, propertyDefinitions, type PropertyDefinition } from './hubspot-api.ts'
import type { MutationPlan } from './plan-chaos.ts'
import type { SourcePlan } from './scenario.ts'
import { describeAlter, recordAlter, type SchemaLog } from './schema-log.ts'
import { isoStamp, type StampClock } from './stamp-clock.ts'
import { hubSpotExpected } from './truth-hubspot.ts'

/** Limits high enough not to pace a scenario; crmsync is told the same (test/helpers/hubspot.ts). */
const FAST_LIMITS = { tenSecondly: 5_000, searchPerSecond: 200 }

/**
 * Values that no reading of their property's type accepts: the record loads with the field NULL
 * and a `_meta` change naming it (docs/design.md §3.11), never a reject.
 */
const BAD_VALUES: Record<string, string> = {
  number: 'twelve',
  bool: 'maybe',
  date: 'not-a-date',
  datetime: '31/12/2026 25:61',
}

/**
 * The HubSpot emulator for one scenario. crmsync holds back nothing (`horizonSeconds: 0`: the
 * emulator's search has no lag unless a fault adds it, and faults stop before the final run) and
 * believes the fast limits; a 429 storm lowers the emulator's own limits under it.
 */
export async function startHubSpotSource(plan: SourcePlan): Promise<SourceHandle> {
  const emulator = await startHubSpotEmulator({ rows: plan.rows, seed: plan.emulatorSeed, limits: FAST_LIMITS })
  const admin = adminClient(emulator.url)
  const api = hubSpotApi(emulator.env)
  const random = createRandom(deriveSeed(plan.emulatorSeed, 'harness'))
  // read before any fault: the truth and the malformed changes need each object's property types
  const definitions = new Map<string, PropertyDefinition[]>()
  for (const stream of plan.streams) {
    if (!(stream in HUBSPOT_OBJECTS)) continue
    definitions.set(stream, await propertyDefinitions(api, HUBSPOT_OBJECTS[stream]))
  }
  const notes: string[] = []
  const schema: SchemaLog = new Map()

  async function mutate(m: MutationPlan, clock: StampClock) {
    if (m.alter) {
      const at = clock.next()
      const { add, touch } = m.alter
      const answer = await admin('/_admin/alter', { object: m.stream, add, touch, at: isoStamp(at) })
      recordAlter(schema, m.stream, m.alter, at)
      // the harness's own list: the properties API goes through the faults
      definitions.get(m.stream)?.push(...add)
      const touched = `${answer.touched.length} records touched at ${isoStamp(at)}`
      notes.push(`${describeAlter(m.stream, m.alter)}: ${touched}`)
      return
    }
    if (m.kind === 'garble') return garble(m, clock)
    if (m.kind === 'link' || m.kind === 'unlink') {
      const change = m.kind === 'link' ? 'inserts' : 'deletes'
      return void (await admin('/_admin/mutate', { table: m.stream, [change]: m.count }))
    }
    if (m.kind === 'tie') {
      return void (await admin('/_admin/tie', { object: m.stream, size: m.count, at: isoStamp(clock.next()) }))
    }
    const at = isoStamp(m.kind === 'late-insert' ? clock.late((m.lateSeconds ?? 0) * 1000) : clock.next())
    const body: Record<string, unknown> = { table: m.stream, modifiedAt: at }
    if (m.kind === 'update') body.updates = m.count
    if (m.kind === 'insert' || m.kind === 'late-insert') body.inserts = m.count
    if (m.kind === 'delete') body.deletes = m.count
    if (m.kind === 'restore') body.restores = m.count
    if (m.kind === 'malformed') body.inserts = badInserts(random, definitions.get(m.stream) ?? [], m.count)
    await admin('/_admin/mutate', body)
  }

  /** records a person edits (a random update), then a typed property typed over in them */
  async function garble(m: MutationPlan, clock: StampClock) {
    const typed = (definitions.get(m.stream) ?? []).filter(
      (d) => d.type in HUBSPOT_TEXTS && !d.modificationMetadata?.readOnlyValue,
    )
    if (typed.length === 0) return
    const property = random.pick(typed)
    const modifiedAt = isoStamp(clock.next())
    const picked = await admin('/_admin/mutate', { table: m.stream, updates: m.count, modifiedAt })
    const updates = (picked.updated as { id: string }[]).map(({ id }) => ({
      id,
      properties: { [property.name]: random.pick(HUBSPOT_TEXTS[property.type]) },
    }))
    await admin('/_admin/mutate', { table: m.stream, updates, modifiedAt: isoStamp(clock.next()) })
    const values = updates.map((u) => JSON.stringify(u.properties[property.name])).join(', ')
    const where = `${m.stream}.${property.name} (${property.type})`
    notes.push(`${where} typed over in ${updates.length} records: ${values}`)
  }

  return {
    source: 'hubspot',
    env: emulator.env,
    configSection: {
      horizonSeconds: 0,
      batchSize: plan.batchSize,
      limits: FAST_LIMITS,
      requestTimeoutMs: 10_000,
    },
    notes,
    async applyFaults(faults) {
      if (faults.transport) await admin('/_admin/faults', faults.transport)
      if (faults.hubspotStorm) await admin('/_admin/limits', faults.hubspotStorm)
      if (faults.searchLagMs) await admin('/_admin/settings', { searchLagMs: faults.searchLagMs })
    },
    async clearFaults() {
      await admin('/_admin/faults', undefined, 'DELETE')
      await admin('/_admin/limits', FAST_LIMITS)
      await admin('/_admin/settings', { searchLagMs: 0 })
    },
    mutate,
    async truth(streams, _judgeBefore, full) {
      const out = new Map<string, Expected>()
      for (const stream of streams) {
        // read again (the faults are off): the truth is the source's own list, not the harness's
        const defs = stream in HUBSPOT_OBJECTS ? await propertyDefinitions(api, HUBSPOT_OBJECTS[stream]) : []
        out.set(stream, await hubSpotExpected(api, stream, defs, { fields: schema.get(stream), full }))
      }
      return out
    },
    close: () => emulator.close(),
  }
}

function badInserts(random: Random, definitions: readonly PropertyDefinition[], count: number) {
  const typed = definitions.filter((d) => d.type in BAD_VALUES && !d.modificationMetadata?.readOnlyValue)
  if (typed.length === 0) return Array.from({ length: count }, () => ({ properties: {} }))
  return Array.from({ length: count }, () => {
    const property = random.pick(typed)
    return { properties: { [property.name]: BAD_VALUES[property.type] } }
  })
}
