import { defineConnector, type RunContext, type Stream } from '../types.ts'
import { createHubSpotClient, type HubSpotClient } from './client.ts'
import { z } from 'zod'
import { DEFAULT_ASSOCIATIONS, DEFAULT_CUSTOM_OBJECTS, hubSpotConfigSchema, hubSpotFileShape, loadHubSpotConfig, type HubSpotConfig } from './config.ts'
import { hubSpotManifest } from './manifest.ts'
import { buildObjectSchema } from './schemas.ts'
import { ownersAnswerSchema, propertiesAnswerSchema } from './responses.ts'
import { defineAssociationStream } from './streams/associations.ts'
import { defineObjectStream, type ObjectType } from './streams/object-stream.ts'
import { defineOwnersStream } from './streams/owners.ts'

const crmObject = (name: string, objectType: string): ObjectType => ({
  name,
  objectType,
  modifiedProperty: 'hs_lastmodifieddate',
  createdProperty: 'hs_createdate',
})

/** HubSpot's standard objects, by objectTypeId; contacts alone keep the older property names. */
export const STANDARD_OBJECTS: readonly ObjectType[] = [
  { name: 'contacts', objectType: '0-1', modifiedProperty: 'lastmodifieddate', createdProperty: 'createdate' },
  crmObject('companies', '0-2'),
  crmObject('deals', '0-3'),
  crmObject('appointments', '0-421'),
]

export const objectTypesOf = (config: HubSpotConfig): ObjectType[] => [
  ...STANDARD_OBJECTS,
  ...config.customObjects.map((c) => crmObject(c.name, c.objectType)),
]

/** An object stream, its columns read from HubSpot's property definitions. */
async function objectStream(type: ObjectType, config: HubSpotConfig, client: HubSpotClient, ctx: RunContext) {
  const definitions = await client.send(
    {
      method: 'GET',
      path: `/crm/v3/properties/${type.objectType}`,
      query: { archived: 'false' },
      schema: propertiesAnswerSchema,
      operation: `${type.name}:properties`,
    },
    ctx,
  )
  const wanted = config.properties[type.name] ?? 'all'
  const required = ['hs_object_id', type.createdProperty, type.modifiedProperty]
  const schema = buildObjectSchema(type.name, definitions.results, wanted, required)
  return defineObjectStream(type, schema, client, { maxUrlLength: config.maxUrlLength }) as Stream
}

/**
 * HubSpot CRM v3/v4 through a private-app token: the standard and custom objects (columns from
 * the properties API), owners, and associations.
 */
export const hubspot = defineConnector<HubSpotConfig>(hubSpotManifest, {
  configSchema: hubSpotConfigSchema,
  loadConfig: loadHubSpotConfig,
  secrets: (config) => [config.apiToken],
  identity: (config) => ({ api: config.baseUrl }),
  async check(config, ctx) {
    const client = createHubSpotClient(config)
    await client.send(
      { method: 'GET', path: '/crm/v3/owners', query: { limit: '1' }, schema: ownersAnswerSchema, operation: 'check' },
      ctx,
    )
    return 'CRM API reachable'
  },
  async streams(config, ctx) {
    const client = createHubSpotClient(config)
    // the property reads run side by side; the first failure (a 401, say) stops the others
    const stop = new AbortController()
    const local: RunContext = { ...ctx, signal: AbortSignal.any([ctx.signal, stop.signal]) }
    const objects = await Promise.all(
      objectTypesOf(config).map((type) =>
        objectStream(type, config, client, local).catch((error: unknown) => {
          stop.abort()
          throw error
        }),
      ),
    )
    const owners = defineOwnersStream(client) as Stream
    const associations = config.associations.map((spec) => defineAssociationStream(spec, client) as Stream)
    return [...objects, owners, ...associations]
  },
  streamNames(fileSection) {
    // the same order as streams(): objects (standard, then custom), owners, associations
    const file = z.object(hubSpotFileShape).safeParse(fileSection ?? {})
    const customObjects = (file.success && file.data.customObjects) || DEFAULT_CUSTOM_OBJECTS
    const associations = (file.success && file.data.associations) || DEFAULT_ASSOCIATIONS
    return [...STANDARD_OBJECTS.map((o) => o.name), ...customObjects.map((c) => c.name), 'owners', ...associations.map((a) => a.name)]
  },
})
