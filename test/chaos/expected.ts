import type { SourceName } from './catalog.ts'
import type { FaultPlan, MutationPlan } from './plan-chaos.ts'
import type { ColumnBase } from './read-value.ts'
import type { StampClock } from './stamp-clock.ts'

/** One keyed record as the source has it now. */
export interface ExpectedRow {
  /** content hash of what crmsync stores (`_raw`) */
  hash: string
  deleted: boolean
  /** the record's fields by the source's names (an Athena row, HubSpot's properties, a lead): the column judge's input */
  fields?: Readonly<Record<string, unknown>>
  /**
   * fields whose shape the source changed after the record's last modification: the stored row may
   * hold them as an earlier read saw them (schema-log.ts), and `lagHash` is the hash without them
   */
  lagging?: readonly string[]
  lagHash?: string
}

/** A source field as a warehouse column (docs/design.md §3.12): what the column judge demands of it. */
export interface ColumnSpec {
  /** the source's name (the key in `ExpectedRow.fields`) */
  field: string
  column: string
  /** the types it may have (a field the harness added); undefined: the table's own (a declared field) */
  types?: readonly ColumnBase[]
  /** the source lists the field now, so its column must exist; otherwise only if a stored `_raw` carries it */
  listed: boolean
  /** a stored `_raw` proves the field was seen only where it holds a value (SalesRabbit infers fields from values) */
  seenByValue?: boolean
  /** the source dropped it: the column stays, NULL in every row read since */
  dropped?: boolean
}

/** What one stream of the warehouse must hold once the scenario converged, read from the source. */
export interface Expected {
  stream: string
  /** keyed streams: key → the source's record, and whether the source deleted it */
  rows: Map<string, ExpectedRow>
  /** where a record's fields sit in `_raw`: top level, or HubSpot's `properties` */
  nested?: 'properties'
  /** streams that follow the source's shape: every field as a column, judged value by value */
  columns?: ColumnSpec[]
  /** keyless streams: content hash → copies */
  multiset?: Map<string, number>
  /** keys whose source record is malformed: not compared (the warehouse keeps its last good version) */
  ignored: Set<string>
  /** parents (the first key part) whose children are not compared: the parent is malformed */
  ignoredScopes: Set<string>
  /** keys gone from the source that an incremental read cannot notice (SalesPro hard deletes) */
  tolerated: Set<string>
  toleratedScopes: Set<string>
  /** keys the harness deleted (still gone) that a complete full pass must have soft-deleted: to explain a failure */
  judged: Set<string>
  judgedScopes: Set<string>
  /** content hashes of malformed source records that must be in crmsync.rejects */
  mustReject: Map<string, { lagging?: readonly string[]; lagHash?: string }>
}

export const emptyExpected = (stream: string): Expected => ({
  stream,
  rows: new Map(),
  ignored: new Set(),
  ignoredScopes: new Set(),
  tolerated: new Set(),
  toleratedScopes: new Set(),
  judged: new Set(),
  judgedScopes: new Set(),
  mustReject: new Map(),
})

/** A running emulator as the harness drives it: faults, changes, and the truth to compare against. */
export interface SourceHandle {
  source: SourceName
  /** what crmsync needs to reach it */
  env: Record<string, string>
  /** `sources.<name>` of crmsync.config.json */
  configSection: Record<string, unknown>
  applyFaults(plan: FaultPlan): Promise<void>
  clearFaults(): Promise<void>
  /** `keys`: the rows a delete picks, instead of random ones */
  mutate(mutation: MutationPlan, clock: StampClock, keys?: readonly string[]): Promise<void>
  /**
   * the source's current data, as expectations per stream. `judgeBefore`: per stream, when the
   * final part of its last complete full pass began (see full-pass-ends.ts); a delete the source
   * cannot show an incremental read (SalesPro's hard deletes) is excused unless it came before
   */
  truth(
    streams: readonly string[],
    judgeBefore: ReadonlyMap<string, number>,
    /** after a `--full` run: every row was read again, none may lag behind the source's shape */
    full: boolean,
  ): Promise<Map<string, Expected>>
  /** things worth knowing that are not failures (a change the emulator refused) */
  notes: string[]
  close(): Promise<void>
}

/** The emulators' admin routes: JSON in and out, never faulted. */
export function adminClient(baseUrl: string) {
  return async (path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<any> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`)
    return text ? JSON.parse(text) : undefined
  }
}
