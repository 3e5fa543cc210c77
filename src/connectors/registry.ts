import type { z } from 'zod'
import { hubSpotFileShape } from './hubspot/config.ts'
import { salesProFileShape } from './salespro/config.ts'
import { salesRabbitFileShape } from './salesrabbit/config.ts'
import type { Connector } from './types.ts'

/**
 * Every source crmsync knows, by name. An object of loaders: adding a source is adding a line, and
 * a command loads only the SDKs of the sources it uses. It has no prototype, because it is looked
 * up with names people type: `crmsync sync constructor` must be an unknown source, not Object.
 */
export const CONNECTORS: Readonly<Record<string, () => Promise<Connector<any>>>> = Object.assign(Object.create(null), {
  salespro: async () => (await import('./salespro/index.ts')).salespro,
  hubspot: async () => (await import('./hubspot/index.ts')).hubspot,
  salesrabbit: async () => (await import('./salesrabbit/index.ts')).salesrabbit,
})

export const SOURCE_NAMES = Object.keys(CONNECTORS)

/**
 * The keys each source's section of crmsync.config.json may hold beside the engine's settings
 * (config.ts refuses others). Static, so checking the file loads no connector and no SDK.
 */
export const SOURCE_FILE_SHAPES: Readonly<Record<string, Record<string, z.ZodType>>> = {
  salespro: salesProFileShape,
  hubspot: hubSpotFileShape,
  salesrabbit: salesRabbitFileShape,
}
