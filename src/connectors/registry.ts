import { salespro } from './salespro/index.ts'
import type { Connector } from './types.ts'

/** Every source crmsync knows, by name. A plain object: adding a source is adding a line. */
export const CONNECTORS: Readonly<Record<string, Connector<any>>> = { salespro }

export const SOURCE_NAMES = Object.keys(CONNECTORS)
