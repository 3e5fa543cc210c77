import type { Queryable } from '../types.ts'

export type SourceIdentity = Readonly<Record<string, string>>

export async function loadSourceIdentity(db: Queryable, source: string): Promise<SourceIdentity | undefined> {
  const { rows } = await db.query<{ identity: SourceIdentity }>(`SELECT identity FROM crmsync.source_identity WHERE source = $1`, [source])
  return rows[0]?.identity
}

export async function saveSourceIdentity(db: Queryable, source: string, identity: SourceIdentity): Promise<void> {
  await db.query(
    `INSERT INTO crmsync.source_identity (source, identity) VALUES ($1, $2::jsonb)
     ON CONFLICT (source) DO UPDATE SET identity = EXCLUDED.identity, recorded_at = now()`,
    [source, JSON.stringify(identity)],
  )
}
