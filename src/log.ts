import { pino, type Logger, type LoggerOptions } from 'pino'

export type { Logger }

/**
 * Secrets that must never reach a log line, whatever field they hide in. Values are registered at
 * start (from the environment and the credential store) and replaced by `[redacted]` in every
 * message, so a secret leaked into an error message is caught too, not only known field names.
 */
const secrets = new Set<string>()

export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 6) secrets.add(value)
}

export function redactSecrets(text: string): string {
  let out = text
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]')
  return out
}

const REDACT_PATHS = [
  '*.password',
  '*.secret',
  '*.secretAccessKey',
  '*.token',
  '*.apiToken',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  '*.headers.authorization',
]

export interface LogOptions {
  level?: string
  /** where lines go: stderr by default, so stdout stays clean for --json */
  destination?: NodeJS.WritableStream | number
  pretty?: boolean
}

export function createLogger(options: LogOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.CRMSYNC_LOG_LEVEL ?? 'info',
    base: undefined,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: {
      // the last line of defence: scrub registered secrets from the finished JSON line
      streamWrite: (line) => (secrets.size ? redactSecrets(line) : line),
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  }
  const destination = options.destination ?? 2
  const stream = typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination
  return pino(config, stream as pino.DestinationStream)
}

/** A logger that drops everything, for library callers and tests that do not care. */
export const silentLogger = (): Logger => pino({ level: 'silent' })
