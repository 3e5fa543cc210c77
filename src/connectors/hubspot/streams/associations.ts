import { z } from 'zod'
import { SyncError } from '../../../errors.ts'
import { columnsOf } from '../../../columns.ts'
import type { Page, ReadRequest, RunContext, SourceRecord, Stream } from '../../types.ts'
import type { HubSpotClient } from '../client.ts'
import { associationRecordSchema } from '../schemas.ts'
import { associationsAnswerSchema, listAnswerSchema, type BatchError } from '../responses.ts'

const associationsCursorSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('list'), after: z.string().min(1).optional() }),
  z.object({ phase: z.literal('done') }),
])
type AssociationsCursor = z.infer<typeof associationsCursorSchema>

export interface AssociationSpec {
  name: string
  /** the object type whose ids are listed, and the type they link to */
  from: string
  to: string
}

/** v4 batch reads take up to 1,000 inputs */
const BATCH_INPUTS = 1000

// an input with no links is reported as an error in a 207; that one is an answer, not a failure
const isNoAssociations = (error: BatchError) =>
  error.subCategory === 'crm.associations.NO_ASSOCIATIONS_FOUND' ||
  /^No \S+ is associated with/.test(error.message ?? '')

/**
 * Links between two object types, one row per (from, to, association type). Every run reads all
 * of them (a removed link only shows as an absence), so a complete pass soft-deletes the links
 * that are gone. The from-ids come from the list endpoint, 1,000 per v4 batch read.
 */
export function defineAssociationStream(
  spec: AssociationSpec,
  client: HubSpotClient,
): Stream<AssociationsCursor> {
  async function readLinks(ids: readonly string[], ctx: RunContext): Promise<SourceRecord[]> {
    const records: SourceRecord[] = []
    let inputs: { id: string; after?: string }[] = ids.map((id) => ({ id }))
    while (inputs.length > 0) {
      const answer = await client.send(
        {
          method: 'POST',
          path: `/crm/v4/associations/${spec.from}/${spec.to}/batch/read`,
          body: { inputs },
          schema: associationsAnswerSchema,
          operation: `${spec.name}:batch-read`,
          multiStatus: true,
        },
        ctx,
      )
      const failed = (answer.errors ?? []).filter((error) => !isNoAssociations(error))
      if (failed.length) {
        const first = `${failed[0].category ?? ''} ${failed[0].message ?? ''}`.trim()
        const message = `HubSpot's association read ${spec.name} failed for ${failed.length} inputs: ${first}`
        throw new SyncError('source_bad_response', message)
      }
      const more: { id: string; after: string }[] = []
      for (const result of answer.results) {
        for (const link of result.to) {
          for (const type of link.associationTypes) {
            const values = {
              from_id: result.from.id,
              to_id: link.toObjectId,
              association_type_id: type.typeId,
              category: type.category,
              label: type.label ?? null,
            }
            const raw = { fromId: result.from.id, toObjectId: link.toObjectId, associationType: type }
            records.push({ values, raw })
          }
        }
        const after = result.paging?.next?.after
        if (after) more.push({ id: result.from.id, after })
      }
      inputs = more
    }
    return records
  }

  return {
    name: spec.name,
    recordSchema: associationRecordSchema,
    columns: columnsOf(associationRecordSchema, ['from_id', 'to_id', 'association_type_id']),
    primaryKey: ['from_id', 'to_id', 'association_type_id'],
    write: 'merge',
    alwaysFull: true,
    cursorSchema: associationsCursorSchema,
    async *read(request: ReadRequest<AssociationsCursor>, ctx: RunContext): AsyncGenerator<Page<AssociationsCursor>> {
      if (request.cursor?.phase === 'done') return
      let after = request.cursor?.after
      do {
        const ids: string[] = []
        do {
          const page = await client.send(
            {
              method: 'GET',
              path: `/crm/v3/objects/${spec.from}`,
              query: { limit: '100', after, archived: 'false', properties: 'hs_object_id' },
              schema: listAnswerSchema,
              operation: `${spec.name}:list-ids`,
            },
            ctx,
          )
          for (const object of page.results) ids.push(object.id)
          after = page.paging?.next?.after
        } while (after && ids.length + 100 <= BATCH_INPUTS)
        const records = ids.length ? await readLinks(ids, ctx) : []
        yield { records, cursor: after ? { phase: 'list', after } : { phase: 'done' } }
      } while (after)
    },
  }
}
