import type { PgBaseType } from '../../columns.ts'

/**
 * HubSpot sends every property value as a string or null; the engine types each into its column
 * with the processors every connector shares (src/connectors/processors.ts), which also read
 * HubSpot's epoch-millisecond dates. Here only the column type a property's type becomes.
 */

/** HubSpot's property type → the warehouse type; multi-selects (`a;b`) and the rest stay text. */
export function baseTypeOf(hubspotType: string): PgBaseType {
  switch (hubspotType) {
    case 'number':
      return 'numeric'
    case 'datetime':
      return 'timestamptz'
    case 'date':
      return 'date'
    case 'bool':
      return 'boolean'
    default:
      return 'text'
  }
}
