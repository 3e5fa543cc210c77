import { widen, type Column, type PgBaseType } from '../columns.ts'
import type { SourceSchema, Stream } from '../connectors/types.ts'
import { SyncError } from '../errors.ts'
import type { ColumnOrigin, SchemaChange, StoredColumn } from '../warehouse/store.ts'

/**
 * Schema evolution (docs/design.md §3.12): what a stream table's columns are during a run, and how
 * they follow the source's shape as pages report it. Pure: the changes it plans are applied by the
 * commit of the batch they open, in that batch's transaction.
 */
export type SchemaPolicy = 'evolve' | 'freeze' | 'discard_new'

/** A stream's schema contract from the config file. */
export interface StreamContract {
  schema: SchemaPolicy
  /** pinned column types; `ignore` keeps a field out of the table (it stays in `_raw`) */
  columns: Readonly<Record<string, PgBaseType | 'ignore'>>
  /** keep every version of every row in `<table>__history` (docs/design.md §4) */
  history?: boolean
  /** `slim`: a row the byte lane writes keeps in `_raw` only what its typed columns cannot give back (docs/design.md §4) */
  raw?: 'whole' | 'slim'
}

export const DEFAULT_CONTRACT: StreamContract = { schema: 'evolve', columns: {}, history: false }

// planned here, applied by the store in the commit of the batch they open
export type { SchemaChange }

/** A column the engine processes itself, from `SourceRecord.fields` (or a pinned declared one, from its value). */
export interface ProcessedColumn {
  name: string
  base: PgBaseType
  /** the key in `SourceRecord.fields`; undefined for a pinned declared column, read from `values` */
  from?: string
  declared: boolean
}

export interface TableShape {
  /** the columns a batch encodes now, in order */
  readonly columns: readonly Column[]
  /** the columns whose values the engine processes (their source types are not the stream's business) */
  readonly processed: readonly ProcessedColumn[]
  /** names the shape into the payload hash, so a row re-read after a shape change is written again */
  readonly fingerprint: string
  /** rows the byte lane writes store their `_raw` slim (the contract's `raw`) */
  readonly slimRaw: boolean
  /** the changes a page's view of the source brings (pins on the first call); applied to the shape at once */
  plan(schema: SourceSchema | undefined): SchemaChange[]
  /**
   * Learns from a view of the source only which field fills each column the table already has,
   * changing no column (a reprocess: the table keeps its stored shape, docs/design.md §3.14).
   */
  learnSources(schema: SourceSchema | undefined): void
}

/** PostgreSQL's spelling of a type (`format_type`) as one of ours. */
export function baseOfSqlType(sqlType: string): PgBaseType {
  const type = sqlType.replace(/\(.*\)$/, '')
  switch (type) {
    case 'boolean':
    case 'bigint':
    case 'integer':
    case 'double precision':
    case 'numeric':
    case 'date':
    case 'jsonb':
      return type
    case 'smallint':
      return 'integer'
    case 'real':
      return 'double precision'
    case 'timestamp with time zone':
    case 'timestamptz':
      return 'timestamptz'
    default:
      return 'text'
  }
}


const column = (name: string, base: PgBaseType, key = false): Column => ({ name, type: { sql: base, base }, key })

const isPin = (pin: PgBaseType | 'ignore' | undefined): pin is PgBaseType => pin !== undefined && pin !== 'ignore'

/**
 * The stream's declared columns as the contract has them: a pinned type replaces the declared
 * one, an ignored column is left out (never the key or the cursor: the row needs them).
 */
export function declaredColumns(stream: Pick<Stream, 'columns' | 'primaryKey' | 'cursorField'>, contract: StreamContract): Column[] {
  const guarded = new Set([...stream.primaryKey, ...(stream.cursorField ? [stream.cursorField] : [])])
  return stream.columns.flatMap((c) => {
    const pin = contract.columns[c.name]
    if (pin === 'ignore' && !guarded.has(c.name)) return []
    return [isPin(pin) ? column(c.name, pin, c.key) : c]
  })
}

/**
 * The shape of a stream's table for one read: its declared columns (with pins), then the columns
 * earlier runs added, from what the warehouse holds. `tableIsNew`: the table was created by this
 * run, so it takes the source's shape whatever the policy (a contract governs changes after).
 */
export function createTableShape(
  source: string,
  stream: Pick<Stream, 'name' | 'columns' | 'primaryKey' | 'cursorField'>,
  stored: readonly StoredColumn[],
  contract: StreamContract,
  tableIsNew: boolean,
): TableShape {
  const declared = new Set(stream.columns.map((c) => c.name))
  const guarded = new Set([...stream.primaryKey, ...(stream.cursorField ? [stream.cursorField] : [])])
  const k: Known = { source, stream, contract, pins: contract.columns, tableIsNew, declared, guarded, state: new Map() }
  const pending = knownColumns(k, stored)

  let lastSchema: SourceSchema | undefined
  let lastLearned: SourceSchema | undefined
  const shape = {
    columns: [] as Column[],
    processed: [] as ProcessedColumn[],
    fingerprint: '',
    slimRaw: contract.raw === 'slim',
    plan(schema: SourceSchema | undefined): SchemaChange[] {
      const changes = pending.splice(0)
      // the same view of the source on every page (HubSpot's properties, Athena's metadata) is planned once
      if (schema && schema !== lastSchema) {
        lastSchema = schema
        changes.push(...follow(k, schema))
      }
      if (changes.length || k.remapped) refresh(shape, k.state)
      k.remapped = false
      return changes
    },
    learnSources(schema: SourceSchema | undefined): void {
      if (!schema || schema === lastLearned) return
      lastLearned = schema
      let remapped = false
      for (const field of schema.fields) {
        const known = k.state.get(field.name)
        const from = field.from ?? field.name
        if (!known || known.declared || (known.from ?? known.column.name) === from) continue
        known.from = from
        remapped = true
      }
      if (remapped) refresh(shape, k.state)
    },
  }
  refresh(shape, k.state)
  return shape
}

/**
 * The shape of a run over stored rows (reprocess, rejects retry): the table's stored columns (with
 * pins, whose retypes its first batch applies), never changed by what the records show; a view of
 * the source only tells which field fills each evolved column (SalesRabbit's loyaltyTier → loyalty_tier).
 */
export function keepStoredShape(shape: TableShape): TableShape {
  let first = true
  return {
    get columns() {
      return shape.columns
    },
    get processed() {
      return shape.processed
    },
    get fingerprint() {
      return shape.fingerprint
    },
    slimRaw: shape.slimRaw,
    plan(schema) {
      const pins = first ? shape.plan(undefined) : []
      first = false
      shape.learnSources(schema)
      return pins
    },
    learnSources: (schema) => shape.learnSources(schema),
  }
}

interface KnownColumn {
  column: Column
  from?: string
  declared: boolean
  dropped: boolean
  origin: ColumnOrigin
}

/** What a table shape knows while it follows the source: its columns by name, and what it follows them with. */
interface Known {
  source: string
  stream: Pick<Stream, 'name' | 'columns' | 'primaryKey' | 'cursorField'>
  contract: StreamContract
  pins: StreamContract['columns']
  tableIsNew: boolean
  /** the stream's declared columns */
  declared: ReadonlySet<string>
  /** the key and cursor columns, never ignored nor dropped */
  guarded: ReadonlySet<string>
  state: Map<string, KnownColumn>
  /** a page named anew the field a known column is filled from: the columns stay, where values come from changes */
  remapped?: boolean
}

/** Fills `k.state` with the declared columns (with pins), then those earlier runs added; returns the retypes pins ask for. */
function knownColumns(k: Known, stored: readonly StoredColumn[]): SchemaChange[] {
  const { stream, pins, guarded, declared, state } = k
  const storedByName = new Map(stored.map((s) => [s.column_name, s]))
  const pending: SchemaChange[] = []
  for (const c of stream.columns) {
    const pin = pins[c.name]
    if (pin === 'ignore' && !guarded.has(c.name)) continue
    const has = storedByName.get(c.name)
    const col = pin && pin !== 'ignore' ? column(c.name, pin, c.key) : c
    if (pin && pin !== 'ignore' && has && baseOfSqlType(has.sql_type) !== pin) {
      pending.push({ column: c.name, change: 'widened', fromType: has.sql_type, toType: pin, origin: 'pinned' })
    }
    state.set(c.name, { column: col, declared: true, dropped: has?.dropped_at != null, origin: pin && pin !== 'ignore' ? 'pinned' : 'declared' })
  }
  for (const s of stored) {
    if (declared.has(s.column_name) || s.column_name.startsWith('_')) continue
    const pin = pins[s.column_name]
    if (pin === 'ignore') continue
    const base = pin ?? baseOfSqlType(s.sql_type)
    if (pin && baseOfSqlType(s.sql_type) !== pin) pending.push({ column: s.column_name, change: 'widened', fromType: s.sql_type, toType: pin, origin: 'pinned' })
    // a numeric(p,s) the source never declared keeps its own spelling
    const col: Column = pin ? column(s.column_name, pin) : { name: s.column_name, type: { sql: s.sql_type, base }, key: false }
    state.set(s.column_name, { column: col, declared: false, dropped: s.dropped_at != null, origin: pin ? 'pinned' : (s.origin ?? 'source') })
  }
  return pending
}

function follow(k: Known, schema: SourceSchema): SchemaChange[] {
  const { state, pins, declared, guarded, tableIsNew, source, stream } = k
  const changes: SchemaChange[] = []
  const frozen: string[] = []
  const policy = tableIsNew ? 'evolve' : k.contract.schema
  const origin: ColumnOrigin = schema.inferred ? 'inferred' : 'source'
  const names = new Set<string>()
  for (const field of schema.fields) {
    names.add(field.name)
    const pin = pins[field.name]
    const known = state.get(field.name)
    if (pin === 'ignore' || (known?.declared && known.origin === 'declared')) continue
    if (!known) {
      if (policy === 'discard_new') continue
      if (policy === 'freeze') {
        frozen.push(`${field.name} (new, ${field.type})`)
        continue
      }
      const type = pin ?? field.type
      state.set(field.name, { column: column(field.name, type), from: field.from ?? field.name, declared: false, dropped: false, origin: pin ? 'pinned' : origin })
      changes.push({ column: field.name, change: 'added', fromType: null, toType: type, origin: pin ? 'pinned' : origin, ...(tableIsNew && { initial: true }) })
      continue
    }
    // a column an earlier run added is known by its name alone (the warehouse keeps no source key):
    // the page's shape says which of the record's fields fills it (SalesRabbit's loyaltyTier → loyalty_tier)
    const from = field.from ?? field.name
    if (!known.declared && (known.from ?? known.column.name) !== from) k.remapped = true
    known.from = from
    if (known.dropped) {
      known.dropped = false
      changes.push({ column: field.name, change: 'added', fromType: null, toType: known.column.type.sql, origin: known.origin })
    }
    if (pin || known.declared) continue
    const wider = widen(known.column.type.base, field.type)
    if (wider === known.column.type.base) continue
    if (policy === 'freeze') {
      frozen.push(`${field.name} (${known.column.type.sql} → ${field.type})`)
      continue
    }
    changes.push({ column: field.name, change: 'widened', fromType: known.column.type.sql, toType: wider, origin: known.origin })
    known.column = column(field.name, wider)
  }
  if (frozen.length) {
    throw new SyncError(
      'schema_changed',
      `${source}.${stream.name}: the source's shape changed and the stream's schema is frozen: ${frozen.join(', ')}. Nothing of the page that showed it was written. ` +
        `To follow the source set "schema": "evolve" (or pin these fields in "columns") under sources.${source}.streams.${stream.name} in the config file, then sync again.`,
    )
  }
  if (schema.complete) {
    const listsDeclared = [...declared].some((name) => names.has(name))
    for (const [name, known] of state) {
      if (names.has(name) || known.dropped || guarded.has(name) || (known.declared && !listsDeclared)) continue
      known.dropped = true
      changes.push({ column: name, change: 'dropped_at_source', fromType: known.column.type.sql, toType: null, origin: known.origin })
    }
  }
  return changes
}

function refresh(shape: { columns: Column[]; processed: ProcessedColumn[]; fingerprint: string }, state: ReadonlyMap<string, KnownColumn>): void {
  shape.columns = [...state.values()].map((s) => s.column)
  shape.processed = [...state.values()]
    .filter((s) => !s.declared || s.origin === 'pinned')
    .map((s) => ({ name: s.column.name, base: s.column.type.base, from: s.declared ? undefined : (s.from ?? s.column.name), declared: s.declared }))
  shape.fingerprint = shape.processed.map((p) => `${p.name}:${p.base}`).join(',')
}
