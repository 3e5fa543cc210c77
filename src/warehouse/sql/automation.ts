import { redactSecrets } from '../../redact.ts'
import type { Queryable } from '../types.ts'

export interface DbBreaker {
  source: string
  state: 'closed' | 'open' | 'half_open'
  failures: Date[]
  successes: number
  opened_at: Date | null
  updated_at: Date
}

/** Locks the source's breaker row for the rest of the transaction (creating it closed if missing). */
export async function lockBreaker(db: Queryable, source: string): Promise<DbBreaker> {
  const { rows } = await db.query<DbBreaker>(
    `WITH created AS (INSERT INTO crmsync.circuit_breakers (source) VALUES ($1) ON CONFLICT (source) DO NOTHING)
     SELECT * FROM crmsync.circuit_breakers WHERE source = $1 FOR UPDATE`,
    [source],
  )
  return rows[0] ?? { source, state: 'closed', failures: [], successes: 0, opened_at: null, updated_at: new Date() }
}

export async function saveBreaker(db: Queryable, b: Pick<DbBreaker, 'source' | 'state' | 'failures' | 'successes' | 'opened_at'>): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.circuit_breakers (source, state, failures, successes, opened_at, updated_at) VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (source) DO UPDATE SET state = $2, failures = $3, successes = $4, opened_at = $5, updated_at = now()`,
    [b.source, b.state, b.failures, b.successes, b.opened_at],
  )
}

export async function listBreakers(db: Queryable): Promise<DbBreaker[]> {
  const { rows } = await db.query<DbBreaker>(`SELECT * FROM crmsync.circuit_breakers ORDER BY source`)
  return rows
}

export interface AutomationEvent {
  source?: string | null
  stream?: string | null
  runId?: number | null
  action: string
  reason: string
  outcome: string
  details?: Record<string, unknown>
}

/** Records an action; its reason and details quote run errors, so they are redacted before they are stored. */
export async function insertAutomationEvent(db: Queryable, e: AutomationEvent): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.automation_events (source, stream, run_id, action, reason, outcome, details) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [e.source ?? null, e.stream ?? null, e.runId ?? null, e.action, redactSecrets(e.reason), e.outcome, redactSecrets(JSON.stringify(e.details ?? {}))],
  )
}

export interface DbAutomationEvent {
  id: number
  at: Date
  source: string | null
  stream: string | null
  run_id: number | null
  action: string
  reason: string
  outcome: string
  details: Record<string, unknown>
}
