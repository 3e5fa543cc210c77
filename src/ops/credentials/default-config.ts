import { closeSync, openSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { ensureWritableDirectory } from '../../writable-directory.ts'

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
  //   batchSize                records per page; each page is committed with its cursor
  //   expectedIntervalMinutes  how often the source should sync: a stream with no success in twice
  //                            this long is reported stale
  //   timeZone                 the zone (IANA name) of the source's timestamps written without one
  //   streams                  per stream, how its table follows the source's shape:
  //                            "schema": "evolve" (new fields become columns, changed types widen
  //                            them), "freeze" (a change fails the run) or "discard_new" (new
  //                            fields stay in _raw); "columns" pins a column's type, or "ignore"
  "sources": {
    "salespro": {
      "enabled": true,
      // "lookbackSeconds": 3600,
      // "horizonSeconds": 0,
      // "batchSize": 5000,
      // "expectedIntervalMinutes": 60,
      // "timeZone": "UTC",
      // "streams": { "estimate": { "schema": "evolve", "columns": { "zip_code": "text", "internal_notes": "ignore" } } },
      // the Athena database holding the SalesPro tables (SALESPRO_DATABASE overrides it)
      // "database": "home_genius_db",
    },
    "hubspot": {
      "enabled": true,
      // "lookbackSeconds": 600,
      // "horizonSeconds": 0,
      // "batchSize": 100,
      // "expectedIntervalMinutes": 60,
    },
    "salesrabbit": {
      "enabled": true,
      // "lookbackSeconds": 3600,
      // "horizonSeconds": 0,
      // "batchSize": 2000,
      // "expectedIntervalMinutes": 60,
    },
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
