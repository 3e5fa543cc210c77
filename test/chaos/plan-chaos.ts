import type { Random } from '../../emulators/shared/random.ts'
import type { SourceName } from './catalog.ts'

/** Faults for one run, cleared when it ends. Keys follow the emulators' admin routes. */
export interface FaultPlan {
  /** the shared `/_admin/faults` knobs: every API request of the source */
  transport?: {
    latencyMs?: number
    error5xx?: { rate?: number; count?: number; status?: number }
    drop?: { rate?: number; count?: number }
    throttle?: { rate?: number; count?: number; retryAfterSeconds?: number }
  }
  /** SalesPro `/_admin/source-faults` */
  athena?: {
    failQueries?: { count?: number; rate?: number }
    queryDelayMs?: number
    s3DropAfterBytes?: { count: number; bytes: number }
    tooManyRequests?: { count: number }
    s3Unavailable?: boolean
  }
  /** HubSpot: the emulator's own rate limits lowered while crmsync still believes the fast ones */
  hubspotStorm?: { tenSecondly: number; searchPerSecond: number }
  /** HubSpot: search lags behind writes by this much */
  searchLagMs?: number
  /** SalesRabbit `/_admin/source-faults` */
  salesrabbit?: { malformed?: { count: number }; brokenJson?: { count: number } }
}

export type MutationKind =
  | 'update'
  | 'insert'
  | 'delete'
  | 'reinsert'
  | 'restore'
  | 'tie'
  | 'late-insert'
  | 'malformed'
  | 'link'
  | 'unlink'
  /** the source's shape changes: fields added, retyped, dropped (`POST /_admin/alter`) */
  | 'alter'
  /** values people type into typed fields: money text, and text no type reads (`call office`) */
  | 'garble'

/** One `POST /_admin/alter`: types are the source's own (Athena's, HubSpot's, SalesRabbit's). */
export interface AlterPlan {
  add: { name: string; type: string }[]
  /** SalesPro only */
  retype: { name: string; type: string }[]
  /** SalesPro only */
  drop: string[]
  /** rows that get values for the changed fields and a new modification time */
  touch: number
}

export interface MutationPlan {
  /** after the run starts (0 for the changes made before it) */
  delayMs: number
  stream: string
  kind: MutationKind
  count: number
  /** late-insert: stamped this far before the source's now */
  lateSeconds?: number
  /** delete (SalesPro): keys the open full pass already saw, when one is open (else random ones) */
  seen?: boolean
  alter?: AlterPlan
  /** garble (SalesPro): the text column the values go into, and the type it is read as */
  field?: { name: string; reads: GarbleType }
}

export type GarbleType = 'number' | 'bool' | 'date' | 'datetime'

const rateOrCount = (r: Random, maxRate: number, maxCount: number) =>
  r.chance(0.5) ? { rate: Math.round(r.next() * maxRate * 100) / 100 + 0.05 } : { count: r.int(1, maxCount) }

export function planFaults(r: Random, source: SourceName): FaultPlan {
  const plan: FaultPlan = {}
  const transport: NonNullable<FaultPlan['transport']> = {}
  if (r.chance(0.25)) transport.throttle = { ...rateOrCount(r, 0.4, 12), retryAfterSeconds: 0 }
  if (r.chance(0.25)) transport.error5xx = { ...rateOrCount(r, 0.25, 6), status: r.pick([500, 502, 503]) }
  if (r.chance(0.15)) transport.drop = rateOrCount(r, 0.15, 4)
  if (r.chance(0.15)) transport.latencyMs = r.int(5, 60)
  if (Object.keys(transport).length) plan.transport = transport
  if (source === 'salespro') {
    const athena: NonNullable<FaultPlan['athena']> = {}
    if (r.chance(0.25)) athena.failQueries = r.chance(0.5) ? { count: r.int(1, 2) } : { rate: 0.3 }
    if (r.chance(0.15)) athena.queryDelayMs = r.int(50, 600)
    if (r.chance(0.25)) athena.s3DropAfterBytes = { count: r.int(1, 2), bytes: r.int(100, 4000) }
    if (r.chance(0.1)) athena.tooManyRequests = { count: r.int(1, 3) }
    if (r.chance(0.1)) athena.s3Unavailable = true
    if (Object.keys(athena).length) plan.athena = athena
  }
  if (source === 'hubspot') {
    if (r.chance(0.15)) plan.hubspotStorm = { tenSecondly: r.int(15, 40), searchPerSecond: r.int(2, 4) }
    if (r.chance(0.15)) plan.searchLagMs = r.int(100, 1500)
  }
  if (source === 'salesrabbit') {
    const faults: NonNullable<FaultPlan['salesrabbit']> = {}
    if (r.chance(0.35)) faults.malformed = { count: r.int(1, 3) }
    if (r.chance(0.15)) faults.brokenJson = { count: r.int(1, 2) }
    if (Object.keys(faults).length) plan.salesrabbit = faults
  }
  return plan
}

/** Words for the scenario line. */
export function faultLabels(plan: FaultPlan): string[] {
  const labels: string[] = []
  if (plan.transport?.throttle || plan.hubspotStorm || plan.athena?.tooManyRequests) labels.push('429 storm')
  if (plan.transport?.error5xx) labels.push('5xx')
  if (plan.transport?.drop) labels.push('dropped connections')
  if (plan.transport?.latencyMs || plan.athena?.queryDelayMs) labels.push('slow')
  if (plan.athena?.failQueries) labels.push('failed queries')
  if (plan.athena?.s3DropAfterBytes) labels.push('S3 cut mid-file')
  if (plan.athena?.s3Unavailable) labels.push('S3 refused')
  if (plan.searchLagMs) labels.push('search lag')
  if (plan.salesrabbit?.malformed) labels.push('malformed records')
  if (plan.salesrabbit?.brokenJson) labels.push('broken JSON')
  return labels
}

export interface MutationContext {
  source: SourceName
  streams: readonly string[]
  batchSize: number
  lookback: number
  /** more deletes (and, SalesPro, re-inserts of deleted keys): the changes a paused full pass must notice */
  deleteHeavy?: boolean
}

type Weights = [MutationKind, number][]

// prettier-ignore
export function kindsFor(source: SourceName, stream: string, deleteHeavy = false): Weights {
  if (source === 'salespro' && stream === 'user_activity') {
    return [['insert', 5], ['late-insert', 3], ['tie', 2], ['malformed', 1]]
  }
  if (source === 'salespro' && deleteHeavy) {
    // a re-insert brings back a key deleted earlier, as a new record (SalesPro's deletes are hard)
    return [
      ['update', 20], ['insert', 10], ['delete', 30], ['reinsert', 15],
      ['tie', 8], ['late-insert', 8], ['malformed', 4],
    ]
  }
  if (source === 'salespro') {
    return [
      ['update', 35], ['insert', 20], ['delete', 12], ['tie', 13], ['late-insert', 12], ['malformed', 8],
    ]
  }
  if (stream.startsWith('assoc_')) return [['link', 6], ['unlink', 3]]
  if (stream === 'owners') return [['update', 5], ['insert', 3]]
  if (source === 'hubspot' && deleteHeavy) {
    return [['update', 20], ['insert', 10], ['delete', 30], ['restore', 15], ['tie', 10], ['late-insert', 10]]
  }
  if (source === 'hubspot') {
    return [
      ['update', 30], ['insert', 15], ['delete', 12], ['restore', 8],
      ['tie', 15], ['late-insert', 10], ['malformed', 10],
    ]
  }
  if (stream === 'users') return [['update', 5], ['insert', 3], ['delete', 2]]
  if (deleteHeavy) return [['update', 30], ['insert', 15], ['delete', 35], ['tie', 10], ['late-insert', 10]]
  return [['update', 35], ['insert', 20], ['delete', 15], ['tie', 15], ['late-insert', 15]]
}

function weighted(r: Random, weights: Weights): MutationKind {
  let roll = r.next() * weights.reduce((sum, [, w]) => sum + w, 0)
  for (const [kind, w] of weights) if ((roll -= w) < 0) return kind
  return weights[0][0]
}

/** `n` batches of source changes on the scenario's streams, each after a delay in [0, maxDelayMs]. */
export function planMutations(r: Random, ctx: MutationContext, n: number, maxDelayMs: number) {
  const out: MutationPlan[] = []
  for (let i = 0; i < n; i++) {
    const stream = r.pick(ctx.streams)
    const kind = weighted(r, kindsFor(ctx.source, stream, ctx.deleteHeavy))
    // a tie puts more rows on one timestamp than a page holds
    const { batchSize } = ctx
    const most = kind === 'malformed' ? 3 : 8
    const count = kind === 'tie' ? r.int(batchSize + 1, batchSize * 3) : r.int(1, most)
    const lateSeconds = kind === 'late-insert' ? r.int(1, Math.floor(ctx.lookback * 0.3)) : undefined
    out.push({ delayMs: maxDelayMs ? r.int(0, maxDelayMs) : 0, stream, kind, count, lateSeconds })
  }
  return out.sort((a, b) => a.delayMs - b.delayMs)
}

