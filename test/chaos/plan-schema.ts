import type { Random } from '../../emulators/shared/random.ts'
import { HUBSPOT_OBJECTS, SALESPRO_TABLES } from './catalog.ts'
import type { AlterPlan, GarbleType, MutationPlan } from './plan-chaos.ts'
import type { SourcePlan } from './scenario.ts'

/**
 * Schema events in a source's timeline (docs/design.md §3.11-3.12): the source's shape changes
 * (SalesPro columns added, retyped, dropped; HubSpot properties and SalesRabbit lead fields
 * added) and values no type reads land in typed fields. Each is placed before a run, while one
 * goes, or before the convergence run. They are drawn from a random stream of their own, after
 * the rest of the plan, so a timeline without them is the one its seed gave before they existed.
 */

// SalesPro: the tables keyed streams read (they follow the source's shape), and lead_results (it does not)
const EVOLVING_TABLES = ['customer', 'estimate', 'credit_applications', 'payments']
const ADDED_ONLY_TABLES = ['lead_results']

/**
 * SalesPro declared columns an alter may retype to VARCHAR (with the type they are read as) or
 * drop: never a key, a cursor, or the money text garbles go into.
 */
const DECLARED: Readonly<Record<string, { retype: [string, GarbleType][]; drop: string[] }>> = {
  customer: { retype: [['created_at', 'datetime']], drop: ['crm_source', 'crm_source_id', 'company_name'] },
  estimate: {
    retype: [
      ['sale_amount', 'number'],
      ['document_count', 'number'],
      ['is_sale', 'bool'],
    ],
    drop: ['bank_name', 'loan_name', 'office_name'],
  },
  credit_applications: {
    retype: [['credit_app_amount', 'number']],
    drop: ['credit_app_note', 'credit_app_vendor_id'],
  },
  payments: {
    retype: [
      ['payment_amount', 'number'],
      ['payment_success', 'bool'],
    ],
    drop: ['payment_description', 'payment_type'],
  },
}

// names fit their type, so the emulators' values look real (a tier holds tiers)
const SALESPRO_NAMES: Readonly<Record<string, readonly string[]>> = {
  VARCHAR: ['loyalty_tier', 'referral_source', 'roof_color', 'preferred_lang', 'promo_code'],
  INTEGER: ['nps_score', 'visit_count', 'build_year', 'room_count'],
  BIGINT: ['lifetime_points', 'roof_area_sqft', 'lead_number'],
  DOUBLE: ['discount_rate', 'tax_rate', 'margin_pct'],
  'DECIMAL(12,2)': ['rebate_amount', 'deposit_amount', 'permit_fee'],
  BOOLEAN: ['is_priority', 'has_hoa', 'wants_financing'],
  TIMESTAMP: ['last_inspection_at', 'callback_at', 'signed_at'],
  DATE: ['install_date', 'warranty_end_date', 'permit_date'],
}

/** what an added SalesPro column may be retyped to: kinds Athena converts (emulators/salespro/alter.ts) */
const RETYPES: Readonly<Record<string, readonly string[]>> = {
  VARCHAR: ['INTEGER'],
  INTEGER: ['VARCHAR', 'VARCHAR', 'BIGINT', 'DOUBLE'],
  BIGINT: ['VARCHAR', 'DOUBLE'],
  DOUBLE: ['VARCHAR'],
  'DECIMAL(12,2)': ['VARCHAR', 'DOUBLE'],
  BOOLEAN: ['VARCHAR', 'INTEGER'],
  TIMESTAMP: ['VARCHAR', 'DATE'],
  DATE: ['VARCHAR', 'TIMESTAMP'],
}

const HUBSPOT_NAMES: Readonly<Record<string, readonly string[]>> = {
  string: ['loyalty_tier', 'referral_source', 'roof_color', 'preferred_language'],
  number: ['nps_score', 'lifetime_value', 'visit_count', 'discount_rate'],
  bool: ['is_vip', 'has_hoa', 'wants_financing'],
  date: ['renewal_date', 'install_date'],
  datetime: ['last_visit_at', 'callback_at'],
}

const SALESRABBIT_NAMES: Readonly<Record<string, readonly string[]>> = {
  string: ['loyaltyTier', 'referralSource', 'roofColor'],
  integer: ['visitCount', 'doorKnocks', 'buildYear'],
  number: ['discountRate', 'rebateAmount', 'roofAreaSqft'],
  boolean: ['isPriority', 'hasHoa', 'wantsFinancing'],
}

/** A field's state while the events are drawn in timeline order. */
interface FieldState {
  type: string
  declared: boolean
  retyped: boolean
  dropped: boolean
  /** a declared column retyped to VARCHAR: garbles may write text into it */
  reads?: GarbleType
  /** where in the timeline the field was added (see `position`) */
  addedAt?: number
}

type Tables = Map<string, Map<string, FieldState>>

interface Slot {
  /** index of the step the event precedes or lands in; steps.length for the convergence run */
  step: number
  during: boolean
  delayMs: number
  kind: 'alter' | 'garble'
}

/** Adds a timeline's schema events to its plan, in place. */
export function planSchemaEvents(r: Random, plan: SourcePlan): void {
  const targets = alterTargets(plan)
  if (targets.length === 0) return
  const alters = r.chance(0.5) ? r.int(1, 3) : 0
  const garbleable =
    plan.source === 'hubspot' || (plan.source === 'salespro' && alters > 0) || hasEstimate(plan)
  const garbles = plan.source !== 'salesrabbit' && garbleable && r.chance(0.4) ? r.int(1, 2) : 0
  if (alters + garbles === 0) return
  const slots: Slot[] = []
  for (let i = 0; i < alters + garbles; i++) {
    const step = r.int(0, plan.steps.length)
    const during = step < plan.steps.length && r.chance(0.5)
    slots.push({ step, during, delayMs: during ? r.int(0, 1200) : 0, kind: i < alters ? 'alter' : 'garble' })
  }
  slots.sort((a, b) => a.step - b.step || Number(a.during) - Number(b.during) || a.delayMs - b.delayMs)
  const tables: Tables = new Map()
  for (const slot of slots) {
    const at = position(slot)
    const event =
      slot.kind === 'alter' ? alterEvent(r, plan, targets, tables, at) : garbleEvent(r, plan, tables)
    if (!event) continue
    event.delayMs = slot.delayMs
    if (slot.step === plan.steps.length) plan.finalMutations.push(event)
    else if (!slot.during) plan.steps[slot.step].before.push(event)
    else {
      const list = plan.steps[slot.step].mutations
      list.push(event)
      // stable: the changes drawn before keep their order
      list.sort((a, b) => a.delayMs - b.delayMs)
    }
  }
  // a --full run after the convergence run: every row read again, none may lag behind the shape
  if (alters > 0 && r.chance(0.3)) plan.finalFull = true
}

/** before run i: i; while run i goes: i + 0.5; before the convergence run: the number of runs */
const position = (slot: Slot) => slot.step + (slot.during ? 0.5 : 0)

/** whether a run read the table (unless it was cut) between a field's addition and `at` */
const readBetween = (addedAt: number, at: number) => at >= Math.ceil(addedAt) + 1

const hasEstimate = (plan: SourcePlan) => plan.source === 'salespro' && plan.streams.includes('estimate')

/** The streams an alter may name: SalesPro's one per table, HubSpot's object streams, SalesRabbit's leads. */
function alterTargets(plan: SourcePlan): string[] {
  if (plan.source === 'hubspot') return plan.streams.filter((s) => s in HUBSPOT_OBJECTS)
  if (plan.source === 'salesrabbit') return ['leads']
  const byTable = new Map<string, string>()
  for (const stream of plan.streams) {
    const table = SALESPRO_TABLES[stream]
    if ([...EVOLVING_TABLES, ...ADDED_ONLY_TABLES].includes(table) && !byTable.has(table))
      byTable.set(table, stream)
  }
  return [...byTable.values()]
}

function fieldsOf(tables: Tables, table: string): Map<string, FieldState> {
  if (!tables.has(table)) tables.set(table, new Map())
  return tables.get(table) as Map<string, FieldState>
}

function alterEvent(
  r: Random,
  plan: SourcePlan,
  targets: string[],
  tables: Tables,
  at: number,
): MutationPlan {
  const tableOf = (stream: string) => (plan.source === 'salespro' ? SALESPRO_TABLES[stream] : stream)
  // a table altered before, more often than not: its added columns are what a retype or a drop needs
  const again = targets.filter((s) => [...(tables.get(tableOf(s))?.values() ?? [])].some((f) => !f.declared))
  const stream = r.pick(again.length && r.chance(0.6) ? again : targets)
  const table = tableOf(stream)
  const fields = fieldsOf(tables, table)
  const alter: AlterPlan = {
    add: [],
    retype: [],
    drop: [],
    touch: r.int(0, plan.source === 'salesrabbit' ? 15 : 10),
  }
  if (plan.source === 'salespro') salesProAlter(r, table, fields, alter, at)
  else
    addFields(
      r,
      r.int(1, 2),
      plan.source === 'hubspot' ? HUBSPOT_NAMES : SALESRABBIT_NAMES,
      fields,
      alter,
      at,
    )
  return { delayMs: 0, stream, kind: 'alter', count: alter.touch, alter }
}

function addFields(
  r: Random,
  n: number,
  names: Readonly<Record<string, readonly string[]>>,
  fields: Map<string, FieldState>,
  alter: AlterPlan,
  at: number,
) {
  for (let i = 0; i < n; i++) {
    const type = r.pick(Object.keys(names))
    const free = names[type].filter((name) => !fields.has(name))
    if (free.length === 0) continue
    const name = r.pick(free)
    fields.set(name, { type, declared: false, retyped: false, dropped: false, addedAt: at })
    alter.add.push({ name, type })
  }
}

/**
 * Adds (most often), a retype (an added column, or a declared one to VARCHAR), a drop (an added
 * column, or a declared one). A column is retyped at most once and never after its drop, so the
 * types a read may have seen stay few (test/chaos/README.md, "columns"). A retype most often
 * hits a column a run has read since it was added, so the warehouse has it to widen.
 */
function salesProAlter(
  r: Random,
  table: string,
  fields: Map<string, FieldState>,
  alter: AlterPlan,
  at: number,
) {
  const addedBefore = [...fields].filter(([, f]) => !f.declared && !f.dropped)
  if (r.chance(0.7) || ADDED_ONLY_TABLES.includes(table))
    addFields(r, r.int(1, 3), SALESPRO_NAMES, fields, alter, at)
  if (ADDED_ONLY_TABLES.includes(table)) return
  const declared = DECLARED[table]
  const untouched = (name: string) => !fields.get(name)?.retyped && !fields.get(name)?.dropped
  const added = addedBefore.filter(([name]) => untouched(name))
  const read = added.filter(([, f]) => readBetween(f.addedAt ?? at, at))
  if (r.chance(read.length ? 0.8 : 0.4)) {
    const own = declared.retype.filter(([name]) => untouched(name))
    if (added.length && !(own.length && r.chance(0.3))) {
      const [name, field] = r.pick(read.length && r.chance(0.8) ? read : added)
      const type = r.pick(RETYPES[field.type])
      Object.assign(field, { type, retyped: true })
      alter.retype.push({ name, type })
    } else if (own.length) {
      const [name, reads] = r.pick(own)
      fields.set(name, { type: 'VARCHAR', declared: true, retyped: true, dropped: false, reads })
      alter.retype.push({ name, type: 'VARCHAR' })
    }
  }
  if (r.chance(0.4)) {
    const inThis = new Set(alter.retype.map((c) => c.name))
    const added = addedBefore.filter(([name, f]) => !f.dropped && !inThis.has(name))
    const own = declared.drop.filter((name) => !fields.get(name)?.dropped)
    if (added.length && !(own.length && r.chance(0.3))) {
      const [name, field] = r.pick(added)
      field.dropped = true
      alter.drop.push(name)
    } else if (own.length) {
      const name = r.pick(own)
      fields.set(name, { type: '?', declared: true, retyped: false, dropped: true })
      alter.drop.push(name)
    }
  }
  if (alter.add.length + alter.retype.length + alter.drop.length === 0) {
    addFields(r, 1, SALESPRO_NAMES, fields, alter, at)
  }
}

/**
 * SalesPro: money text into `estimate.finance_amount`/`down_payment`, or text into a declared
 * column an earlier alter retyped to VARCHAR; HubSpot: into a typed property, picked when it
 * lands (the object's properties are the emulator's). The values are picked then too.
 */
function garbleEvent(r: Random, plan: SourcePlan, tables: Tables): MutationPlan | undefined {
  const count = r.int(1, 4)
  if (plan.source === 'hubspot') {
    const objects = plan.streams.filter((s) => s in HUBSPOT_OBJECTS)
    return objects.length ? { delayMs: 0, stream: r.pick(objects), kind: 'garble', count } : undefined
  }
  const candidates: { stream: string; name: string; reads: GarbleType }[] = []
  if (hasEstimate(plan)) {
    for (const name of ['finance_amount', 'down_payment'])
      candidates.push({ stream: 'estimate', name, reads: 'number' })
  }
  for (const stream of plan.streams) {
    for (const [name, f] of tables.get(SALESPRO_TABLES[stream]) ?? []) {
      if (f.declared && f.reads && !f.dropped) candidates.push({ stream, name, reads: f.reads })
    }
  }
  if (candidates.length === 0) return undefined
  const { stream, name, reads } = r.pick(candidates)
  return { delayMs: 0, stream, kind: 'garble', count, field: { name, reads } }
}
