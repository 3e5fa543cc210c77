import { z } from 'zod'
import { col, columnsOf } from '../../columns.ts'
import type { Page, ReadRequest, RejectedRecord, RunContext, SourceRecord, Stream } from '../../types.ts'
import type { HubSpotClient } from '../client.ts'
import { ownersAnswerSchema, type Owner } from '../schemas.ts'
import { parseDateTime, ValueError } from '../values.ts'

const ownerRecordSchema = z.object({
  id: col.bigintKey(),
  email: col.text(),
  first_name: col.text(),
  last_name: col.text(),
  user_id: col.bigint(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  archived: col.boolean(),
  archived_at: col.timestamp(),
  teams: col.json(),
})

const ownersCursorSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.enum(['live', 'archived']), after: z.string().min(1).optional() }),
  z.object({ phase: z.literal('done') }),
])
type OwnersCursor = z.infer<typeof ownersCursorSchema>

function toOwnerRecord(owner: Owner): { record: SourceRecord } | { reject: RejectedRecord } {
  try {
    const updatedAt = parseDateTime(owner.updatedAt)
    const values = {
      id: owner.id,
      email: owner.email ?? null,
      first_name: owner.firstName ?? null,
      last_name: owner.lastName ?? null,
      user_id: owner.userId === null || owner.userId === undefined ? null : String(owner.userId),
      created_at: parseDateTime(owner.createdAt),
      updated_at: updatedAt,
      archived: owner.archived,
      // HubSpot does not say when an owner was archived; its last update stands in
      archived_at: owner.archivedAt ? parseDateTime(owner.archivedAt) : owner.archived ? updatedAt : null,
      teams: owner.teams ?? [],
    }
    return { record: { values, raw: owner } }
  } catch (error) {
    if (error instanceof ValueError) return { reject: { key: owner.id, reason: error.message, raw: owner } }
    throw error
  }
}

/**
 * HubSpot owners (`/crm/v3/owners`): a small set that cannot be filtered by modification, so every
 * run reads it whole, live then archived; a complete pass soft-deletes owners that vanished.
 */
export function defineOwnersStream(client: HubSpotClient): Stream<OwnersCursor> {
  return {
    name: 'owners',
    recordSchema: ownerRecordSchema,
    columns: columnsOf(ownerRecordSchema, ['id']),
    primaryKey: ['id'],
    cursorField: 'updated_at',
    deletedAtField: 'archived_at',
    write: 'merge',
    alwaysFull: true,
    cursorSchema: ownersCursorSchema,
    async *read(request: ReadRequest<OwnersCursor>, ctx: RunContext): AsyncIterable<Page<OwnersCursor>> {
      const start = request.cursor
      if (start?.phase === 'done') return
      for (const phase of ['live', 'archived'] as const) {
        if (start?.phase === 'archived' && phase === 'live') continue
        let after = start?.phase === phase ? start.after : undefined
        do {
          const answer = await client.send(
            {
              method: 'GET',
              path: '/crm/v3/owners',
              query: { limit: '100', after, archived: String(phase === 'archived') },
              schema: ownersAnswerSchema,
              operation: `owners:list${phase === 'archived' ? '-archived' : ''}`,
            },
            ctx,
          )
          after = answer.paging?.next?.after
          const records: SourceRecord[] = []
          const rejects: RejectedRecord[] = []
          for (const owner of answer.results) {
            const result = toOwnerRecord(owner)
            if ('record' in result) records.push(result.record)
            else rejects.push(result.reject)
          }
          const last: OwnersCursor = phase === 'live' ? { phase: 'archived' } : { phase: 'done' }
          const cursor: OwnersCursor = after ? { phase, after } : last
          yield { records, rejects, cursor }
        } while (after)
      }
    },
  }
}
