import type { z } from 'zod'

/**
 * What crmsync knows about a source without loading it: the connector's static half. A manifest
 * imports no SDK, so commands that only need names, credentials, defaults or emulators (init,
 * credentials, alerts, the worker's limits) start light; the connector's `index.ts` builds on it,
 * so the two cannot drift. Everything outside src/connectors/ learns about sources from here.
 */

/** One environment variable a source's credentials are made of. */
export interface CredentialVariable {
  readonly name: string
  /** masked in `credentials list` and registered with the log redactor; never shown, not even partly */
  readonly secret: boolean
  /** the source cannot sync without it */
  readonly required: boolean
}

export interface SourceDefaults {
  lookbackSeconds: number
  horizonSeconds: number
  batchSize: number
}

/**
 * A built-in alert rule setting for this source, by rule name: `threshold` overrides the rule's
 * default threshold here; `enabled: true` turns on a rule that is off unless a source asks for it
 * (batch_processing_time), `enabled: false` turns a rule off here unless the config turns it on.
 */
export interface SourceAlertDefault {
  readonly threshold?: number
  readonly enabled?: boolean
}

/** What a started emulator gives back (emulators/shared/http.ts RunningEmulator, without its import). */
export interface StartedEmulator {
  readonly url: string
  readonly env: Record<string, string>
  tables(): Promise<Record<string, number>>
  close(): Promise<void>
}

export interface EmulatorOptions {
  host?: string
  port?: number
  rows?: number
  seed?: number
  /** the tables to generate, for an emulator with `tablesOption` */
  only?: string[]
  /** the least time each query takes from its start to its result, for an emulator with `queryLatencyOption` */
  queryLatencyMs?: number
}

/** A change the demo makes at the source between its first and second sync (POST /_admin/mutate). */
export interface DemoMutation {
  readonly table: string
  readonly updates?: number
  readonly inserts?: number
  readonly deletes?: number
}

export interface SourceEmulator {
  /** `crmsync emulate`'s default port */
  readonly port: number
  /** how the demo's step 1 names it and what `--rows` counts ("SalesPro over Athena", "customers") */
  readonly title: string
  readonly rowsName: string
  /** the variable of `env` holding the emulator's base URL (its admin endpoints live there) */
  readonly urlVariable: string
  /** `crmsync emulate --tables` applies to it */
  readonly tablesOption?: boolean
  /** `crmsync emulate --query-latency-ms` applies to it: its queries wait in a queue, as Athena's do */
  readonly queryLatencyOption?: boolean
  /** loaded lazily: only `emulate` and the demo reach the emulators (docs/design.md §1) */
  start(options: EmulatorOptions): Promise<StartedEmulator>
  /** what the demo changes at this source, and the line that says so */
  readonly demo?: {
    readonly said: string
    readonly mutations: readonly DemoMutation[]
    /** a source without a change feed: the demo runs a full pass of this stream to show deletes */
    readonly fullPass?: { readonly stream: string; readonly said: string }
  }
}

export interface ConnectorManifest {
  readonly name: string
  readonly title: string
  /** the variables the config reads that are credentials: what `credentials set` asks for and stores */
  readonly credentials: readonly CredentialVariable[]
  /** the keys the source's section of crmsync.config.json may hold beside the engine's settings */
  readonly fileShape: Record<string, z.ZodType>
  readonly defaults: SourceDefaults
  /**
   * The source's section of the commented default config (`crmsync init`), beside the engine's
   * settings: commented lines documenting its own keys, indented as they appear there.
   */
  readonly defaultConfigLines?: readonly string[]
  /** runs of this source at once across all workers, unless the config says otherwise (default 1) */
  readonly concurrency?: number
  /**
   * streams of this source one `crmsync sync` runs at once in its process, unless `--concurrency`
   * says otherwise (default 1): what the source can serve side by side without refusing us
   */
  readonly streamConcurrency?: number
  readonly alerts?: Readonly<Record<string, SourceAlertDefault>>
  readonly emulator?: SourceEmulator
}

/** Identity helper that keeps literal types when defining manifests. */
export const defineManifest = (manifest: ConnectorManifest) => manifest

export const credential = (name: string, secret: boolean, required = true): CredentialVariable => ({ name, secret, required })
