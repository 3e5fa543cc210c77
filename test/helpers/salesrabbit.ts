import type { RunningEmulator } from '../../emulators/shared/http.ts'
import { adminClient, type AdminCall } from './admin.ts'
import { startSalesRabbitEmulator, type SalesRabbitEmulatorOptions } from '../../emulators/salesrabbit/index.ts'
import type { SalesRabbitConfig } from '../../src/connectors/salesrabbit/config.ts'
import { salesrabbit } from '../../src/connectors/salesrabbit/index.ts'
import { createEngineEvents } from '../../src/engine/events.ts'
import { runSync, type SyncOptions } from '../../src/engine/run-sync.ts'
import type { RunSummary } from '../../src/engine/summary.ts'
import { silentLogger } from '../../src/log.ts'
import type { Warehouse } from '../../src/warehouse/types.ts'

export type SalesRabbitSyncOptions = Partial<SyncOptions> & {
  batchSize?: number
  lookbackSeconds?: number
  config?: Partial<SalesRabbitConfig>
}

export interface SalesRabbitFixture {
  emulator: RunningEmulator
  /** the emulator's admin routes (never faulted, never counted) */
  admin: AdminCall
  /** the client's config against this emulator: quick retries, so fault tests stay short */
  config(overrides?: Partial<SalesRabbitConfig>): SalesRabbitConfig
  sync(warehouse: Warehouse, streams?: string[], options?: SalesRabbitSyncOptions): Promise<RunSummary[]>
  /** every lead as the API lists it now, by id: the truth a converged warehouse must equal */
  sourceLeads(): Promise<Map<string, Record<string, unknown>>>
  /** the API's first page of leads (no filter), in the serving order */
  leadPage(page: number, perPage: number): Promise<Record<string, unknown>[]>
}

export async function startSalesRabbit(options: SalesRabbitEmulatorOptions = {}): Promise<SalesRabbitFixture> {
  const emulator = await startSalesRabbitEmulator({ rows: 3000, seed: 7, ...options })
  const admin = adminClient(emulator.url)
  const config = (overrides: Partial<SalesRabbitConfig> = {}) => ({
    ...salesrabbit.loadConfig({ ...emulator.env }, { maxAttempts: 2, retryBaseMs: 5 }),
    ...overrides,
  })
  const leadPage = async (page: number, perPage: number) => {
    const response = await fetch(`${emulator.url}/leads?page=${page}&perPage=${perPage}`, {
      headers: { authorization: `Bearer ${emulator.env.SALESRABBIT_API_TOKEN}` },
    })
    if (!response.ok) throw new Error(`GET /leads: ${response.status}`)
    return ((await response.json()) as { data: Record<string, unknown>[] }).data
  }
  return {
    emulator,
    admin,
    config,
    leadPage,
    async sync(warehouse, streams, options = {}) {
      const { config: overrides, lookbackSeconds, batchSize, ...rest } = options
      const { runs } = await runSync(
        [
          {
            connector: salesrabbit,
            config: config(overrides),
            streams,
            settings: { lookbackSeconds: lookbackSeconds ?? 60, horizonSeconds: 0, batchSize: batchSize ?? 500 },
          },
        ],
        { warehouse, log: silentLogger(), events: createEngineEvents(), ...rest },
      )
      return runs
    },
    async sourceLeads() {
      const leads = new Map<string, Record<string, unknown>>()
      for (let page = 1; ; page++) {
        const data = await leadPage(page, 2000)
        for (const lead of data) leads.set(String(lead.id), lead)
        if (data.length < 2000) return leads
      }
    },
  }
}

/** The warehouse's leads as `id → _raw`, and which are soft-deleted. */
export async function warehouseLeads(warehouse: Warehouse) {
  const { rows } = await warehouse.query<{ id: string; _raw: Record<string, unknown>; _deleted_at: Date | null }>(
    `SELECT id::text AS id, _raw, _deleted_at FROM salesrabbit.leads`,
  )
  return new Map(rows.map((row) => [row.id, row]))
}

/** The ids whose warehouse copy differs from the source's (missing, stale, or deleted in one only). */
export async function leadDrift(fixture: SalesRabbitFixture, warehouse: Warehouse): Promise<string[]> {
  const [source, stored] = await Promise.all([fixture.sourceLeads(), warehouseLeads(warehouse)])
  const drift: string[] = []
  for (const [id, lead] of source) {
    const row = stored.get(id)
    const deleted = lead.deletedAt !== ''
    const same = row && JSON.stringify(canonical(row._raw)) === JSON.stringify(canonical(lead))
    if (!same || deleted !== (row._deleted_at !== null)) drift.push(id)
  }
  // a row the source no longer has must be soft-deleted (a phantom lead a fault served, say)
  for (const [id, row] of stored) if (!source.has(id) && row._deleted_at === null) drift.push(id)
  return drift
}

// jsonb keeps its own key order, so records are compared in a canonical one
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : typeof value === 'object' && value !== null
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, v]) => [k, canonical(v)]),
        )
      : value
