import { parseArgs, type ParseArgsConfig } from 'node:util'
import { SyncError } from '../errors.ts'

export type Options = NonNullable<ParseArgsConfig['options']>

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean', default: false },
  debug: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options

export interface Parsed<V> {
  values: V
  positionals: string[]
}

/**
 * node:util parseArgs with usage errors turned into SyncError('config_invalid'), which the CLI
 * answers with exit code 2 and the message naming the problem. A command that takes no arguments
 * says so (`positionals: false`): `crmsync status salespro` must not quietly show every source.
 */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, command: string, { positionals = true } = {}) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: positionals, strict: true })
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/, '')
    throw new SyncError('config_invalid', `${message}. Run \`crmsync ${command} --help\` for the options.`)
  }
}

export function positiveInt(value: string | undefined, flag: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max)
    throw new SyncError('config_invalid', `${flag} must be a whole number from 1 to ${max.toLocaleString('en-US')}, not ${JSON.stringify(value)}`)
  return Number(value)
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i

/**
 * An ISO-8601 date or instant; a time without a zone is read as UTC. Returns ISO text in UTC.
 * The date and time must exist: Date.parse rolls 2024-02-30 over to March 1st, so the fields are
 * checked to come back unchanged from a UTC date built from them.
 */
export function isoInstant(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined
  const match = ISO.exec(value)
  if (!match) throw new SyncError('config_invalid', `${flag} must be an ISO-8601 date or time like 2024-05-01 or 2024-05-01T10:00:00Z, not ${JSON.stringify(value)}`)
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map((part) => (part === undefined ? undefined : Number(part))) as number[]
  const fields = new Date(Date.UTC(year, month - 1, day, hour, minute, second))
  const exists =
    fields.getUTCFullYear() === year &&
    fields.getUTCMonth() === month - 1 &&
    fields.getUTCDate() === day &&
    fields.getUTCHours() === hour &&
    fields.getUTCMinutes() === minute &&
    fields.getUTCSeconds() === second
  const ms = Date.parse(match[8] || value.length === 10 ? value : `${value}Z`)
  if (!exists || Number.isNaN(ms)) throw new SyncError('config_invalid', `${flag} ${value} is not a calendar date or time (no such day, hour, minute or second)`)
  return new Date(ms).toISOString()
}
