import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import pg from 'pg'

/**
 * Leak canaries: distinctive secret values fed through crmsync, then searched for everywhere it
 * writes. Each canary is searched in every form a leak could take: as text, as the hex PostgreSQL
 * prints for bytea, and (for keys) as base64, base64url and raw bytes.
 */
export interface Canary {
  name: string
  forms: { label: string; bytes: Buffer }[]
}

export function textCanary(name: string, value: string): Canary {
  const bytes = Buffer.from(value, 'utf8')
  return { name, forms: [{ label: 'clear', bytes }, { label: 'hex', bytes: Buffer.from(bytes.toString('hex')) }] }
}

/** A 32-byte key, whichever way it is written. */
export function keyCanary(name: string, key: Buffer): Canary {
  return {
    name,
    forms: [
      { label: 'base64', bytes: Buffer.from(key.toString('base64')) },
      { label: 'base64url', bytes: Buffer.from(key.toString('base64url')) },
      { label: 'hex', bytes: Buffer.from(key.toString('hex')) },
      { label: 'raw', bytes: key },
    ],
  }
}

export interface Leak {
  canary: string
  form: string
  where: string
}

/** Every canary found in a piece of output, a file or a dump. */
export function findLeaks(haystack: Buffer | string, canaries: readonly Canary[], where: string): Leak[] {
  const buffer = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack
  const lower = Buffer.from(buffer.toString('latin1').toLowerCase(), 'latin1')
  const leaks: Leak[] = []
  for (const canary of canaries) {
    for (const form of canary.forms) {
      // hex is case-insensitive: PostgreSQL prints lower case, other tools upper
      const found = form.label === 'hex' ? lower.includes(form.bytes) : buffer.includes(form.bytes)
      if (found) leaks.push({ canary: canary.name, form: form.label, where })
    }
  }
  return leaks
}

/** Every file under a directory, read as bytes (PGlite's data files, WAL and all). */
export function findLeaksInFiles(dir: string, canaries: readonly Canary[], allowed: (file: string, canary: string) => boolean = () => false): Leak[] {
  const leaks: Leak[] = []
  const walk = (path: string) => {
    const stat = statSync(path, { throwIfNoEntry: false })
    if (!stat) return
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry))
    else if (stat.isFile()) {
      const file = relative(dir, path)
      leaks.push(...findLeaks(readFileSync(path), canaries, `file ${file}`).filter((l) => !allowed(file, l.canary)))
    }
  }
  walk(dir)
  return leaks
}

export const pgDumpAvailable = () => spawnSync('pg_dump', ['--version']).status === 0

/**
 * The data of a whole database as text: `pg_dump --data-only` when it is on PATH (bytea comes out
 * as hex), else every row of every table outside the system schemas cast to text.
 */
export async function dumpDatabase(url: string): Promise<{ text: string; how: string }> {
  if (pgDumpAvailable()) {
    const text = execFileSync('pg_dump', ['--data-only', '--no-owner', '--dbname', url], { maxBuffer: 1 << 30 }).toString('utf8')
    return { text, how: 'pg_dump --data-only' }
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    )
    const parts: string[] = []
    for (const t of tables) {
      const { rows } = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${pg.escapeIdentifier(t.schema)}.${pg.escapeIdentifier(t.name)} t`)
      parts.push(`-- ${t.schema}.${t.name}`, ...rows.map((r) => r.row))
    }
    return { text: parts.join('\n'), how: 'every row cast to text' }
  } finally {
    await client.end()
  }
}
