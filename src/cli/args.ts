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
 * answers with exit code 2 and the message naming the problem.
 */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true })
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

const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/** An ISO-8601 date or instant; a time without a zone is read as UTC. Returns ISO text in UTC. */
export function isoInstant(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined
  const ms = ISO.test(value) ? Date.parse(/[Zz]|[+-]\d{2}:?\d{2}$/.test(value) || value.length === 10 ? value : `${value}Z`) : NaN
  if (Number.isNaN(ms)) throw new SyncError('config_invalid', `${flag} must be an ISO-8601 date or time like 2024-05-01 or 2024-05-01T10:00:00Z, not ${JSON.stringify(value)}`)
  return new Date(ms).toISOString()
}
