import { SOURCE_NAMES } from '../connectors/registry.ts'
import { redactSecrets } from '../log.ts'
import { listBreakers } from '../warehouse/sql/automation.ts'
import { countAllRows, lastLandedRuns, listRunningRuns, listSourceTables, runStatsSince, type DbRunningRun, type DbRunStats } from '../warehouse/sql/dashboard.ts'
import { countTableRows, listStreamOverview } from '../warehouse/sql/overview.ts'
import { streamsChangedSince } from '../warehouse/sql/stream-columns.ts'
import type { PoolStats } from '../warehouse/types.ts'
import type { AppDeps } from './deps.ts'
import type { ScheduleInfo, SourceCatalog, WorkerInfo } from './ports.ts'

/**
 * The data behind the pages and the JSON API, read once here so both show the same numbers.
 * Every number comes from the warehouse or the process; nothing is estimated or made up.
 */
export interface StreamView {
  source: string
  stream: string
  /** live rows in the warehouse table; null when the table does not exist yet */
  rows: number | null
  deletedRows: number | null
  lastRunId: number | null
  lastStatus: string | null
  lastStartedAt: Date | null
  lastDurationMs: number | null
  lastSuccessAt: Date | null
  lastError: string | null
  cursor: unknown
  fullPassInProgress: boolean
  runningRunId: number | null
  breaker: string | null
  nextRunAt: Date | null
  stale: boolean
  /** the table's shape changes in the last SHAPE_CHANGE_DAYS days, or null when there were none */
  recentShapeChanges: { count: number; lastAt: Date } | null
}

/** how far back the streams list marks a table whose shape changed */
export const SHAPE_CHANGE_DAYS = 7

/** Schemas that are never browsable, whatever a source is called. */
const RESERVED_SCHEMAS = new Set(['crmsync', 'public', 'pg_catalog', 'information_schema', 'pg_toast'])

export const DEFAULT_STALE_MINUTES = 24 * 60

const settle = async <T>(work: (() => Promise<T>) | undefined): Promise<{ value?: T; error?: string }> => {
  if (!work) return {}
  try {
    return { value: await work() }
  } catch (error) {
    return { error: redactSecrets((error as Error).message) }
  }
}

export const catalogOf = async (deps: AppDeps): Promise<SourceCatalog[]> => (deps.launcher.catalog ? deps.launcher.catalog() : [])

export async function loadStreams(deps: AppDeps, schedules?: ScheduleInfo[]): Promise<StreamView[]> {
  const now = Date.now()
  const overview = await listStreamOverview(deps.warehouse)
  const landed = new Map((await lastLandedRuns(deps.warehouse)).map((l) => [`${l.source}.${l.stream}`, new Date(l.landed_at).getTime()]))
  const breakers = new Map((await listBreakers(deps.warehouse)).map((b) => [b.source, b.state]))
  const reshaped = new Map(
    (await streamsChangedSince(deps.warehouse, new Date(now - SHAPE_CHANGE_DAYS * 86_400_000))).map((c) => [`${c.source}.${c.stream}`, { count: c.changes, lastAt: c.last_at }]),
  )
  const catalog = await catalogOf(deps)
  const plans = schedules ?? (await settle(deps.schedules)).value ?? []
  const views: StreamView[] = []
  const seen = new Set<string>()
  for (const s of overview) {
    seen.add(`${s.source}.${s.stream}`)
    const counts = await countTableRows(deps.warehouse, s.source, s.stream)
    const limit = (deps.staleAfterMinutes?.(s.source) ?? DEFAULT_STALE_MINUTES) * 60_000
    // stale: no run has landed data (succeeded or partial) for longer than the limit, or none ever did
    const landedAt = landed.get(`${s.source}.${s.stream}`)
    const stale = s.running_run_id === null && s.last_started_at !== null && (landedAt === undefined || now - landedAt > limit)
    views.push({
      source: s.source,
      stream: s.stream,
      rows: counts?.live ?? null,
      deletedRows: counts?.deleted ?? null,
      lastRunId: s.last_run_id,
      lastStatus: s.last_status,
      lastStartedAt: s.last_started_at,
      lastDurationMs: s.last_duration_ms,
      lastSuccessAt: s.last_success_at,
      lastError: s.last_error === null ? null : redactSecrets(s.last_error),
      cursor: s.cursor,
      fullPassInProgress: s.full_pass !== null && s.full_pass !== undefined,
      runningRunId: s.running_run_id,
      breaker: breakers.get(s.source) ?? null,
      nextRunAt: nextRun(plans, s.source, s.stream),
      stale,
      recentShapeChanges: reshaped.get(`${s.source}.${s.stream}`) ?? null,
    })
  }
  // streams a configured source offers but that never ran yet
  for (const c of catalog)
    for (const stream of c.streams)
      if (!seen.has(`${c.source}.${stream}`))
        views.push({
          source: c.source,
          stream,
          rows: null,
          deletedRows: null,
          lastRunId: null,
          lastStatus: null,
          lastStartedAt: null,
          lastDurationMs: null,
          lastSuccessAt: null,
          lastError: null,
          cursor: null,
          fullPassInProgress: false,
          runningRunId: null,
          breaker: breakers.get(c.source) ?? null,
          nextRunAt: nextRun(plans, c.source, stream),
          stale: false,
          recentShapeChanges: null,
        })
  return views.sort((a, b) => (a.source === b.source ? 0 : a.source < b.source ? -1 : 1))
}

function nextRun(schedules: ScheduleInfo[], source: string, stream: string): Date | null {
  const times = schedules.filter((s) => s.source === source && (s.stream === null || s.stream === stream) && !s.paused && s.nextRunAt).map((s) => new Date(s.nextRunAt as Date).getTime())
  return times.length ? new Date(Math.min(...times)) : null
}

/** The source schemas the data browser may show: the known sources and any source with state. */
export async function browsableSchemas(deps: AppDeps): Promise<string[]> {
  const withState = (await listStreamOverview(deps.warehouse)).map((s) => s.source)
  return [...new Set([...(deps.sources ?? SOURCE_NAMES), ...withState])].filter((s) => !RESERVED_SCHEMAS.has(s)).sort()
}

export interface TableView {
  schema: string
  table: string
  columns: number
  rows: number
  deletedRows: number | null
}

/** The tables of the source schemas with exact row counts; `only` narrows it to one table (the preview). */
export async function loadTables(deps: AppDeps, only?: { schema: string; table: string }): Promise<TableView[]> {
  const schemas = await browsableSchemas(deps)
  if (only && !schemas.includes(only.schema)) return []
  const tables = (await listSourceTables(deps.warehouse, only ? [only.schema] : schemas)).filter((t) => !only || t.table === only.table)
  const views: TableView[] = []
  for (const t of tables) {
    if (t.has_deleted_at) {
      const counts = await countTableRows(deps.warehouse, t.schema, t.table)
      views.push({ schema: t.schema, table: t.table, columns: t.columns, rows: counts?.live ?? 0, deletedRows: counts?.deleted ?? 0 })
    } else views.push({ schema: t.schema, table: t.table, columns: t.columns, rows: await countAllRows(deps.warehouse, t.schema, t.table), deletedRows: null })
  }
  return views
}

export interface Health {
  warehouse: { kind: string; location: string; reachable: boolean; latencyMs: number | null; error?: string; pool: PoolStats }
  workers: { list: WorkerInfo[] | null; error?: string }
  schedules: { list: ScheduleInfo[] | null; error?: string }
  memory: NodeJS.MemoryUsage
  uptimeSeconds: number
  pid: number
  node: string
  breakers: { source: string; state: string; openedAt: Date | null }[]
}

export async function loadHealth(deps: AppDeps): Promise<Health> {
  const started = performance.now()
  const ping = await settle(() =>
    Promise.race([
      deps.warehouse.query('SELECT 1'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 3 s')), 3000).unref()),
    ]),
  )
  const latencyMs = ping.error ? null : Math.round(performance.now() - started)
  const workers = await settle(deps.workers)
  const schedules = await settle(deps.schedules)
  const breakers = ping.error ? { value: [] } : await settle(() => listBreakers(deps.warehouse))
  return {
    warehouse: { kind: deps.warehouse.kind, location: deps.warehouse.location, reachable: !ping.error, latencyMs, error: ping.error, pool: deps.warehouse.poolStats() },
    workers: { list: deps.workers ? (workers.value ?? null) : null, error: workers.error },
    schedules: { list: deps.schedules ? (schedules.value ?? null) : null, error: schedules.error },
    memory: process.memoryUsage(),
    uptimeSeconds: Math.round(process.uptime()),
    pid: process.pid,
    node: process.version,
    breakers: (breakers.value ?? []).map((b) => ({ source: b.source, state: b.state, openedAt: b.opened_at })),
  }
}

export interface Overview {
  running: DbRunningRun[]
  last24h: DbRunStats
  today: DbRunStats
  /** succeeded / (succeeded + partial + failed) over 24 h; null when no run finished */
  successRate24h: number | null
}

const startOfUtcDay = (now: Date) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()))

export async function loadOverview(deps: AppDeps): Promise<Overview> {
  const now = new Date()
  const running = await listRunningRuns(deps.warehouse)
  const last24h = await runStatsSince(deps.warehouse, new Date(now.getTime() - 86_400_000))
  const today = await runStatsSince(deps.warehouse, startOfUtcDay(now))
  const finished = last24h.succeeded + last24h.partial + last24h.failed
  return { running, last24h, today, successRate24h: finished ? last24h.succeeded / finished : null }
}
