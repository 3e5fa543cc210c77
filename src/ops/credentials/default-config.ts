import { closeSync, openSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { manifests } from '../../connectors/registry.ts'
import type { ConnectorManifest } from '../../connectors/manifest.ts'
import { ensureWritableDirectory } from '../../writable-directory.ts'

/**
 * One source's section: on, the engine's settings at the source's defaults (its manifest's), and
 * the lines the manifest adds for its own keys. Generated, so a new source documents itself.
 */
function sourceSection(manifest: ConnectorManifest): string {
  const { lookbackSeconds, horizonSeconds, batchSize } = manifest.defaults
  const lines = [
    '"enabled": true,',
    `// "lookbackSeconds": ${lookbackSeconds},`,
    `// "horizonSeconds": ${horizonSeconds},`,
    `// "batchSize": ${batchSize},`,
    '// "expectedIntervalMinutes": 60,',
    ...(manifest.defaultConfigLines ?? []),
  ]
  return [`    ${JSON.stringify(manifest.name)}: {`, ...lines.map((line) => `      ${line}`), '    },'].join('\n')
}

const SOURCE_SECTIONS = manifests().map(sourceSection).join('\n')

/**
 * The commented crmsync.config.json `crmsync init` writes. Every setting is shown with its
 * default, commented out, so the file explains itself and changes nothing until edited; the
 * sections other parts own (alerts, server) are comments too, so they can never break parsing.
 */
export const DEFAULT_CONFIG = `// crmsync configuration: JSON with comments (// and /* */) and trailing commas allowed.
// Every key is optional; a commented or deleted key takes its default.
// No secrets here: credentials come from the environment or \`crmsync credentials set <source>\`.
{
  "warehouse": {
    // connections in the PostgreSQL pool when DATABASE_URL is set (CRMSYNC_POOL_SIZE overrides it)
    // "poolSize": 10,
  },

  // Per source. What the settings mean:
  //   enabled                  false leaves the source out of \`crmsync sync --all\`
  //   lookbackSeconds          each incremental run re-reads this far before its stored cursor, so
  //                            rows that appear late or out of order are still caught
  //   horizonSeconds           the newest changes left for the next run, for a source whose newest
  //                            writes are not yet visible (HubSpot's search index lags)
  //   batchSize                records per page asked of the source; pages are committed with
  //                            their cursor in batches of at least this many records (or ~8 MB)
  //   expectedIntervalMinutes  how often the source should sync: a stream with no success in twice
  //                            this long is reported stale
  //   timeZone                 the zone (IANA name) of the source's timestamps written without one
  //   streams                  per stream, how its table follows the source's shape:
  //                            "schema": "evolve" (new fields become columns, changed types widen
  //                            them), "freeze" (a change fails the run) or "discard_new" (new
  //                            fields stay in _raw); "columns" pins a column's type, or "ignore";
  //                            "history": true keeps every version of its rows in <table>__history;
  //                            "raw": "slim" keeps in _raw only what the typed columns cannot give
  //                            back (SalesPro; crmsync.record(_raw, to_jsonb(t)) reads the record)
  "sources": {
${SOURCE_SECTIONS}
  },

  // Alert thresholds and channels: see the README for the keys.
  // "alerts": { },

  // The monitoring server and dashboard: see the README for the keys.
  // "server": { },
}
`

export interface ConfigFileSetup {
  created: boolean
  /** what `init` reports: `config <path>` */
  item: string
  path: string
}

/** Writes the default config file when there is none; an existing file is never touched. */
export function writeDefaultConfig(path: string): ConfigFileSetup {
  const item = `config ${path}`
  ensureWritableDirectory(dirname(path), { setting: 'the directory of CRMSYNC_CONFIG' })
  let fd: number
  try {
    // exclusive create: two inits at once, or a file made meanwhile, never lose an edited config
    fd = openSync(path, 'wx', 0o644)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { created: false, item, path }
    throw error
  }
  try {
    writeSync(fd, DEFAULT_CONFIG)
  } finally {
    closeSync(fd)
  }
  return { created: true, item, path }
}
