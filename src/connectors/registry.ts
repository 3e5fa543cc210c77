import type { Connector } from './types.ts'

/**
 * Every source crmsync knows, by name. A plain object of loaders: adding a source is adding a
 * line, and a command loads only the SDKs of the sources it uses.
 */
export const CONNECTORS: Readonly<Record<string, () => Promise<Connector<any>>>> = {
  salespro: async () => (await import('./salespro/index.ts')).salespro,
  hubspot: async () => (await import('./hubspot/index.ts')).hubspot,
  salesrabbit: async () => (await import('./salesrabbit/index.ts')).salesrabbit,
}

export const SOURCE_NAMES = Object.keys(CONNECTORS)
