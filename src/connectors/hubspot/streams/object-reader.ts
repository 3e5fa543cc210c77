import { SyncError } from '../../../errors.ts'
import type { RunContext } from '../../types.ts'
import type { HubSpotClient } from '../client.ts'
import { batchReadAnswerSchema, listAnswerSchema, searchAnswerSchema, type SimpleObject } from '../responses.ts'

export interface ListPage {
  results: SimpleObject[]
  /** the `after` of the next page; undefined on the last */
  next?: string
}

/** The paging primitives of one object type: list pages (live or archived) and search pages. */
export interface ObjectReader {
  list(after: string | undefined, archived: boolean, ctx: RunContext): Promise<ListPage>
  /** one search page; `total` is how many records the whole search matches, as HubSpot counts them */
  search(body: object, ctx: RunContext): Promise<{ results: SimpleObject[]; more: boolean; total?: number }>
}

export interface ObjectReaderOptions {
  stream: string
  objectType: string
  /** requested properties; the id and modified ones first, so they are always in the first chunk */
  properties: readonly string[]
  listLimit: number
  maxUrlLength: number
}

// a generous stand-in for an `after` token when measuring a list URL
const AFTER_PLACEHOLDER = 'X'.repeat(64)

const byName = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * HubSpot answers 414 when a list URL is too long (a portal with hundreds of long property names).
 * The properties are then split: the first chunk rides on the list call, which decides the page's
 * ids and its `after`, and the rest are fetched for exactly those ids with one batch read (the
 * property list travels in its JSON body, which has no such limit). Fetching by id keeps the
 * chunks aligned even when records change between the calls, which two list calls with the same
 * `after` cannot promise (a record created or restored in between shifts the second page).
 */
export function createObjectReader(client: HubSpotClient, options: ObjectReaderOptions): ObjectReader {
  const path = `/crm/v3/objects/${options.objectType}`
  const query = (after: string | undefined, archived: boolean, properties: readonly string[]) => ({
    limit: String(options.listLimit),
    after,
    archived: String(archived),
    properties: properties.join(','),
  })
  const fits = (properties: readonly string[]) =>
    client.urlLength(path, query(AFTER_PLACEHOLDER, false, properties)) <= options.maxUrlLength
  const first: string[] = []
  for (const property of options.properties) {
    if (first.length > 0 && !fits([...first, property])) break
    first.push(property)
  }
  const rest = options.properties.slice(first.length)

  async function fillRest(results: SimpleObject[], archived: boolean, ctx: RunContext): Promise<SimpleObject[]> {
    if (rest.length === 0 || results.length === 0) return results
    const answer = await client.send(
      {
        method: 'POST',
        path: `${path}/batch/read`,
        query: { archived: String(archived) },
        body: { properties: rest, propertiesWithHistory: [], inputs: results.map((r) => ({ id: r.id })) },
        schema: batchReadAnswerSchema,
        operation: `${options.stream}:batch-read`,
        multiStatus: true,
      },
      ctx,
    )
    const unexpected = (answer.errors ?? []).find((e) => e.category !== 'OBJECT_NOT_FOUND')
    if (unexpected) {
      const reason = unexpected.message ?? unexpected.category ?? 'an unknown error'
      throw new SyncError('source_bad_response', `HubSpot's batch read of ${options.stream} failed: ${reason}`)
    }
    const byId = new Map(answer.results.map((r) => [r.id, r]))
    // a record the batch read no longer finds changed state between the two calls (archived, say):
    // it is left out here and read by the archived phase or the next window, never taken as deleted
    return results.flatMap((record) => {
      const extra = byId.get(record.id)
      if (!extra) return []
      const properties = Object.fromEntries(Object.entries({ ...record.properties, ...extra.properties }).sort(byName))
      return [{ ...record, properties }]
    })
  }

  return {
    async list(after, archived, ctx) {
      const answer = await client.send(
        {
          method: 'GET',
          path,
          query: query(after, archived, first),
          schema: listAnswerSchema,
          operation: `${options.stream}:list${archived ? '-archived' : ''}`,
        },
        ctx,
      )
      return { results: await fillRest(answer.results, archived, ctx), next: answer.paging?.next?.after }
    },
    async search(body, ctx) {
      const answer = await client.send(
        {
          method: 'POST',
          path: `${path}/search`,
          body,
          schema: searchAnswerSchema,
          operation: `${options.stream}:search`,
        },
        ctx,
      )
      return { results: answer.results, more: answer.results.length > 0 && answer.paging?.next !== undefined, total: answer.total }
    },
  }
}
