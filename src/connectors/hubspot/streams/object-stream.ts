import { SyncError } from '../../../errors.ts'
import { columnsOf } from '../../../columns.ts'
import type { Page, ReadRequest, RebuildResult, RejectedRecord, RunContext, SourceRecord, Stream } from '../../types.ts'
import type { HubSpotClient } from '../client.ts'
import { createObjectReader, type ObjectReader } from './object-reader.ts'
import { toObjectRecord, type ObjectSchema } from '../schemas.ts'
import { simpleObjectSchema, type SimpleObject } from '../responses.ts'
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
} from './window.ts'

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

type Pages = AsyncGenerator<Page<ObjectCursor>>
type ToPage = (objects: readonly SimpleObject[], cursor: ObjectCursor) => Page<ObjectCursor>

/**
 * An object stream: the list endpoint for full passes, the id-keyset search window for
 * incremental runs and backfills (the algorithm is described in ./window.ts), and the archived
 * list for deletions. Each phase's last page carries the cursor of the next phase.
 */
export function defineObjectStream(
  type: ObjectType,
  schema: ObjectSchema,
  client: HubSpotClient,
  options: { maxUrlLength: number },
): Stream<ObjectCursor> {
  const toPage: ToPage = (objects, cursor) => {
    const records: SourceRecord[] = []
    const rejects: RejectedRecord[] = []
    for (const object of objects) {
      const result = toObjectRecord(object)
      if ('record' in result) records.push(result.record)
      else rejects.push(result.reject)
    }
    return { records, rejects, cursor, schema: schema.sourceSchema }
  }

  async function* listPhase(reader: ObjectReader, plan: ReadPlan & { phase: 'list' }, ctx: RunContext): Pages {
    const { listStartedAt } = plan
    let after = plan.after
    do {
      const page = await reader.list(after, false, ctx)
      after = page.next
      const cursor: ObjectCursor = after
        ? { phase: 'list', after, listStartedAt }
        : { phase: 'archived', next: listStartedAt }
      yield toPage(page.results, cursor)
    } while (after)
  }

  async function* archivedPhase(reader: ObjectReader, plan: ReadPlan & { phase: 'archived' }, ctx: RunContext): Pages {
    const { next, since } = plan
    let after = plan.after
    do {
      const page = await reader.list(after, true, ctx)
      after = page.next
      // an incremental run rewrites only recent archivals (the merge would skip the others anyway)
      const recent = (r: SimpleObject) => !r.archivedAt || Date.parse(r.archivedAt) >= Number(since)
      const kept = since === undefined ? page.results : page.results.filter(recent)
      yield toPage(kept, after ? { phase: 'archived', after, next, since } : { phase: 'search', from: next })
    } while (after)
  }

  async function* searchPhase(
    reader: ObjectReader,
    start: SearchWindow,
    limit: number,
    properties: string[],
    ctx: RunContext,
  ): Pages {
    let window = start
    for (let first = true; ; first = false) {
      const body = searchBody(window, type.modifiedProperty, properties, limit)
      const { results, more, total } = await reader.search(body, ctx)
      // the first answer's total is the size of the window's read (the list endpoint tells none);
      // later answers count only what is left past the last id, so one size is told per read
      if (first && total !== undefined) ctx.report({ type: 'size', records: total })
      const lastId = results.reduce((last, r) => maxId(last, r.id), window.lastId)
      if (more && lastId === window.lastId) {
        const message = `HubSpot's search of ${type.name} did not move past id ${lastId}: the id filter was ignored`
        throw new SyncError('source_bad_response', message)
      }
      // HubSpot has answered with records newer than asked: only the window's own are kept
      const kept = results.filter((r) => inWindow(modifiedMs(r, type.modifiedProperty), window))
      yield toPage(kept, afterSearchPage(window, lastId, more))
      if (!more) return
      window = { ...window, lastId }
    }
  }

  return {
    name: type.name,
    recordSchema: schema.recordSchema,
    columns: columnsOf(schema.recordSchema, ['id']),
    primaryKey: ['id'],
    cursorField: 'updated_at',
    deletedAtField: 'archived_at',
    write: 'merge',
    cursorSchema: objectCursorSchema,
    rebuild(raw): RebuildResult {
      // a stored `_raw` is the object as the API answered it: the read path's conversion, again
      const object = simpleObjectSchema.safeParse(raw)
      if (!object.success) return { reject: `the stored record is not a HubSpot ${type.name} object (id, properties, updatedAt)` }
      const result = toObjectRecord(object.data)
      return 'record' in result ? { records: [result.record], schema: schema.sourceSchema } : { reject: result.reject.reason, key: result.reject.key }
    },
    async *read(request: ReadRequest<ObjectCursor>, ctx: RunContext): AsyncIterable<Page<ObjectCursor>> {
      // HubSpot's page maximums (100 listed, 200 searched); a smaller batch size shrinks both
      const listLimit = Math.min(100, request.pageSize)
      const searchLimit = request.pageSize >= 100 ? 200 : request.pageSize
      // the id and modified time first: a split property list keeps them on the list call
      const properties = [...new Set(['hs_object_id', type.modifiedProperty, ...schema.properties])]
      const reader = createObjectReader(client, {
        stream: type.name,
        objectType: type.objectType,
        properties,
        listLimit,
        maxUrlLength: options.maxUrlLength,
      })
      let plan = planRead(request, ctx.now().getTime())
      while (plan.phase !== 'done') {
        if (plan.phase === 'list') {
          yield* listPhase(reader, plan, ctx)
          plan = { phase: 'archived', next: plan.listStartedAt }
        } else if (plan.phase === 'archived') {
          yield* archivedPhase(reader, plan, ctx)
          plan = { phase: 'done' }
        } else {
          yield* searchPhase(reader, plan, searchLimit, properties, ctx)
          plan = plan.then.phase === 'archived' ? { ...plan.then } : { phase: 'done' }
        }
      }
    },
  }
}
