import { z } from 'zod'
import { columnsOf } from '../../../columns.ts'
import type { Page, ReadRequest, RebuildResult, RejectedRecord, RunContext, SourceRecord, Stream } from '../../types.ts'
import type { HubSpotClient } from '../client.ts'
import { ownerRecordSchema } from '../schemas.ts'
import { ownerSchema, ownersAnswerSchema, type Owner } from '../responses.ts'
import { processField, processValue, ValueError, type FieldChange } from '../../processors.ts'

const ownersCursorSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.enum(['live', 'archived']), after: z.string().min(1).optional() }),
  z.object({ phase: z.literal('done') }),
])
type OwnersCursor = z.infer<typeof ownersCursorSchema>

const instant = (text: string | null | undefined) => processValue('timestamptz', text ?? null)

/** An owner as a record; only an unreadable `updatedAt` (the row's version) makes it a reject. */
function toOwnerRecord(owner: Owner): { record: SourceRecord } | { reject: RejectedRecord } {
  let updatedAt: unknown
  try {
    updatedAt = instant(owner.updatedAt)
  } catch (error) {
    if (error instanceof ValueError) return { reject: { key: owner.id, reason: `updatedAt: ${JSON.stringify(owner.updatedAt)} is ${error.message}`, raw: owner } }
    throw error
  }
  const changes: FieldChange[] = []
  const values: Record<string, unknown> = {
    id: owner.id,
    email: owner.email ?? null,
    first_name: owner.firstName ?? null,
    last_name: owner.lastName ?? null,
    user_id: owner.userId === null || owner.userId === undefined ? null : String(owner.userId),
    updated_at: updatedAt,
    archived: owner.archived,
    teams: owner.teams ?? [],
  }
  processField(values, changes, 'created_at', () => instant(owner.createdAt))
  processField(values, changes, 'archived_at', () => instant(owner.archivedAt))
  // HubSpot does not say when an owner was archived; its last update stands in
  if (owner.archived && values.archived_at === null) values.archived_at = updatedAt
  return { record: { values, raw: owner, changes } }
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
    rebuild(raw): RebuildResult {
      // a stored `_raw` is the owner as the API answered it: the read path's conversion, again
      const owner = ownerSchema.safeParse(raw)
      if (!owner.success) return { reject: 'the stored record is not a HubSpot owner (id, updatedAt, archived)' }
      const result = toOwnerRecord(owner.data)
      return 'record' in result ? { records: [result.record] } : { reject: result.reject.reason, key: result.reject.key }
    },
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
