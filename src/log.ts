import { pino, type Logger, type LoggerOptions } from 'pino'
import { redactSecrets } from './redact.ts'

export type { Logger }

// the redactor has its own module (the warehouse writers use it without a logger); re-exported for existing callers
export { redactSecrets, registerSecret } from './redact.ts'

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
      // the last line of defence: scrub secrets, registered or recognised by shape, from the finished JSON line
      streamWrite: redactSecrets,
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  }
  const destination = options.destination ?? 2
  const stream = typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination
  return pino(config, stream as pino.DestinationStream)
}

/** A logger that drops everything, for library callers and tests that do not care. */
export const silentLogger = (): Logger => pino({ level: 'silent' })
