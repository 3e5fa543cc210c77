import { columnNames } from '../../src/connectors/column-name.ts'
import { HUBSPOT_LINKS, HUBSPOT_OBJECT_COLUMNS, HUBSPOT_OBJECTS, KEY_SEPARATOR } from './catalog.ts'
import { contentHash } from './canonical.ts'
import { hubSpotBase } from './column-types.ts'
import { emptyExpected, type Expected } from './expected.ts'
import { listAll, readLinks, type HubSpotApi, type PropertyDefinition } from './hubspot-api.ts'
import { readInstant } from './read-value.ts'
import { laggingFields, withoutFields, type ShapeChanges } from './schema-log.ts'

/**
 * HubSpot's expectations. Objects: every property (crmsync asks for all of them), live and
 * archived; crmsync stores the SimplePublicObject as `_raw`, an archived one soft-deleted. Only
 * a record whose `updatedAt` (the cursor) is not an instant must be rejected instead: a property
 * value that does not parse as its type is stored NULL with a `_meta` note (docs/design.md §3.11).
 * Every property is a column typed from its property type (docs/design.md §3.12), named by
 * crmsync's naming rule (`columnNames`), judged value by value.
 * Owners: live and archived. Associations: every link of every live "from" record.
 */
export async function hubSpotExpected(
  api: HubSpotApi,
  stream: string,
  definitions: readonly PropertyDefinition[],
  shape: ShapeChanges,
): Promise<Expected> {
  const expected = emptyExpected(stream)
  if (stream in HUBSPOT_LINKS) {
    const { from, to } = HUBSPOT_LINKS[stream]
    const query = { archived: 'false', properties: 'hs_object_id' }
    const live = await listAll(api, `/crm/v3/objects/${from}`, query)
    const ids = live.map((o) => String(o.id))
    for (const link of await readLinks(api, from, to, ids)) {
      const type = link.associationType as { typeId: number }
      // crmsync's _raw of a link is its own small object, with the ids as text
      const raw = { ...link, toObjectId: String(link.toObjectId) }
      const key = [link.fromId, raw.toObjectId, type.typeId].join(KEY_SEPARATOR)
      expected.rows.set(key, { hash: contentHash(raw), deleted: false })
    }
    return expected
  }
  const path = stream === 'owners' ? '/crm/v3/owners' : `/crm/v3/objects/${HUBSPOT_OBJECTS[stream]}`
  const properties = definitions.map((d) => d.name).join(',')
  const query: Record<string, string> = stream === 'owners' ? {} : { properties }
  const object = stream !== 'owners'
  if (object) {
    const names = columnNames(
      definitions.map((d) => d.name),
      HUBSPOT_OBJECT_COLUMNS,
    )
    expected.nested = 'properties'
    expected.columns = definitions.map((d) => ({
      field: d.name,
      column: names.get(d.name) as string,
      listed: true,
      types: [hubSpotBase(d.type)],
    }))
  }
  for (const archived of ['false', 'true']) {
    for (const record of await listAll(api, path, { ...query, archived })) {
      const key = String(record.id)
      if (object && !instant(record.updatedAt)) {
        expected.ignored.add(key)
        expected.mustReject.set(contentHash(record), {})
        continue
      }
      const deleted = record.archived === true
      if (!object) {
        expected.rows.set(key, { hash: contentHash(record), deleted })
        continue
      }
      const lagging = laggingFields(shape.fields, readInstant(record.updatedAt), shape.full)
      const lagHash = lagging.length ? contentHash(withoutFields(record, lagging, 'properties')) : undefined
      expected.rows.set(key, {
        hash: contentHash(record),
        deleted,
        fields: record.properties,
        lagging,
        lagHash,
      })
    }
  }
  return expected
}

const EPOCH_MS = /^-?\d{10,16}$/
const instant = (v: string) => EPOCH_MS.test(v) || !Number.isNaN(Date.parse(v))
