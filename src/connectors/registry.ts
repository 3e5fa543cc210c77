import type { z } from 'zod'
import { hubSpotManifest } from './hubspot/manifest.ts'
import type { ConnectorManifest } from './manifest.ts'
import { salesProManifest } from './salespro/manifest.ts'
import { salesRabbitManifest } from './salesrabbit/manifest.ts'
import type { Connector } from './types.ts'

/**
 * The one list of sources crmsync knows. Adding a source is adding its manifest here and its
 * loader below; nothing else in src/ names a source. Manifests are static and load eagerly; the
 * connectors load lazily, so a command loads only the SDKs of the sources it uses.
 */
const ENTRIES: readonly { manifest: ConnectorManifest; load: () => Promise<Connector<any>> }[] = [
  { manifest: salesProManifest, load: async () => (await import('./salespro/index.ts')).salespro },
  { manifest: hubSpotManifest, load: async () => (await import('./hubspot/index.ts')).hubspot },
  { manifest: salesRabbitManifest, load: async () => (await import('./salesrabbit/index.ts')).salesrabbit },
]

// no prototype: these are looked up with names people type, and `crmsync sync constructor` must be
// an unknown source, not Object
const byName = <T>(value: (entry: (typeof ENTRIES)[number]) => T): Readonly<Record<string, T>> =>
  Object.assign(Object.create(null), Object.fromEntries(ENTRIES.map((entry) => [entry.manifest.name, value(entry)])))

/** Every source's manifest, by name, in the registry's order. */
export const MANIFESTS: Readonly<Record<string, ConnectorManifest>> = byName((entry) => entry.manifest)

/** Every source's connector loader, by name. */
export const CONNECTORS: Readonly<Record<string, () => Promise<Connector<any>>>> = byName((entry) => entry.load)

export const SOURCE_NAMES = ENTRIES.map((entry) => entry.manifest.name)

/** The manifests in the registry's order. */
export const manifests = (): readonly ConnectorManifest[] => ENTRIES.map((entry) => entry.manifest)

/**
 * The keys each source's section of crmsync.config.json may hold beside the engine's settings
 * (config.ts refuses others). Static, so checking the file loads no connector and no SDK.
 */
export const SOURCE_FILE_SHAPES: Readonly<Record<string, Record<string, z.ZodType>>> = byName((entry) => entry.manifest.fileShape)
