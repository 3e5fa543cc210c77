import { SyncError } from '../../../errors.ts'
import { columnsOf } from '../../columns.ts'
import type { Page, ReadRequest, RejectedRecord, RunContext, SourceRecord, Stream } from '../../types.ts'
import type { HubSpotClient } from '../client.ts'
import { toObjectRecord, type ObjectSchema } from '../object-schema.ts'
import { createObjectReader } from '../object-reader.ts'
import type { SimpleObject } from '../schemas.ts'
import {
  afterSearchPage,
  inWindow,
  maxId,
  modifiedMs,
  objectCursorSchema,
  planRead,
  searchBody,
  type ObjectCursor,
  type ReadPlan,
  type SearchWindow,
} from '../window.ts'

/** One HubSpot CRM object type as a stream. */
export interface ObjectType {
  /** stream and table name */
  name: string
  /** `0-1`, `2-37778609`… */
  objectType: string
  /** contacts: `lastmodifieddate`; every other object: `hs_lastmodifieddate` */
  modifiedProperty: string
  createdProperty: string
}

export interface ObjectStreamOptions {
  maxUrlLength: number
}

/**
 * An object stream: the list endpoint for full passes, the id-keyset search window for
 * incremental runs (the algorithm is described in ../window.ts), and the archived list for
 * deletions.
 */
export function defineObjectStream(type: ObjectType, schema: ObjectSchema, client: HubSpotClient, options: ObjectStreamOptions): Stream<ObjectCursor> {
  return {
    name: type.name,
    recordSchema: schema.recordSchema,
    columns: columnsOf(schema.recordSchema, ['id']),
    primaryKey: ['id'],
    cursorField: 'updated_at',
    deletedAtField: 'archived_at',
    write: 'merge',
    cursorSchema: objectCursorSchema,
    async *read(request: ReadRequest<ObjectCursor>, ctx: RunContext): AsyncIterable<Page<ObjectCursor>> {
      // HubSpot's page maximums (100 listed, 200 searched); a smaller batch size shrinks both
      const listLimit = Math.min(100, request.batchSize)
      const searchLimit = request.batchSize >= 100 ? 200 : request.batchSize
      // the id and modified time first: a split property list keeps them on the list call
      const properties = [...new Set(['hs_object_id', type.modifiedProperty, ...schema.properties])]
      const reader = createObjectReader(client, { stream: type.name, objectType: type.objectType, properties, listLimit, maxUrlLength: options.maxUrlLength })
      const toPage = (objects: readonly SimpleObject[], cursor: ObjectCursor): Page<ObjectCursor> => {
        const records: SourceRecord[] = []
        const rejects: RejectedRecord[] = []
        for (const object of objects) {
          const result = toObjectRecord(object, schema.columns)
          if ('record' in result) records.push(result.record)
          else rejects.push(result.reject)
        }
        return { records, rejects, cursor }
      }

      let plan: ReadPlan = planRead(request, ctx.now().getTime())
      while (plan.phase !== 'done') {
        if (plan.phase === 'list') {
          const { listStartedAt } = plan
          let after = plan.after
          do {
            const page = await reader.list(after, false, ctx)
            after = page.next
            yield toPage(page.results, after ? { phase: 'list', after, listStartedAt } : { phase: 'archived', next: listStartedAt })
          } while (after)
          plan = { phase: 'archived', next: listStartedAt }
        } else if (plan.phase === 'archived') {
          const { next, since } = plan
          let after = plan.after
          do {
            const page = await reader.list(after, true, ctx)
            after = page.next
            // an incremental run rewrites only recent archivals (the merge would skip the others anyway)
            const kept = since === undefined ? page.results : page.results.filter((r) => !r.archivedAt || Date.parse(r.archivedAt) >= Number(since))
            yield toPage(kept, after ? { phase: 'archived', after, next, since } : { phase: 'search', from: next })
          } while (after)
          plan = { phase: 'done' }
        } else {
          let window: SearchWindow = plan
          for (;;) {
            const { results, more } = await reader.search(searchBody(window, type.modifiedProperty, properties, searchLimit), ctx)
            const lastId = results.reduce((last, r) => maxId(last, r.id), window.lastId)
            if (more && lastId === window.lastId) {
              throw new SyncError('source_bad_response', `HubSpot's search of ${type.name} did not move past id ${lastId}; the id filter was ignored`)
            }
            // HubSpot has answered with records newer than asked: only the window's own are kept
            const kept = results.filter((r) => inWindow(modifiedMs(r, type.modifiedProperty), window))
            yield toPage(kept, afterSearchPage(window, lastId, more))
            if (!more) break
            window = { ...window, lastId }
          }
          const then = window.then
          plan = then.phase === 'archived' ? { phase: 'archived', next: then.next, since: then.since } : { phase: 'done' }
        }
      }
    },
  }
}
