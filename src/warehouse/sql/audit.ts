import type { Queryable } from '../types.ts'

export interface AuditEvent {
  /** the method and what it acted on: `POST /api/runs/12/stop` */
  action: string
  /** the resource: `run 12`, `schedule 3`, `salespro.customer` */
  target: string
  /** the client's address, as the server saw it */
  address: string
  status: number
  detail?: unknown
}

export interface DbAuditEvent {
  id: number
  at: Date
  action: string
  target: string
  address: string
  status: number
  detail: unknown
}

export async function insertAuditEvent(db: Queryable, e: AuditEvent): Promise<void> {
  await db.query(`INSERT INTO crmsync.audit_events (action, target, address, status, detail) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
    e.action,
    e.target,
    e.address,
    e.status,
    e.detail === undefined ? null : JSON.stringify(e.detail),
  ])
}

export async function listAuditEvents(db: Queryable, limit = 100): Promise<DbAuditEvent[]> {
  const { rows } = await db.query<DbAuditEvent>(`SELECT * FROM crmsync.audit_events ORDER BY id DESC LIMIT $1`, [limit])
  return rows
}
