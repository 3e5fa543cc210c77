import { Writable } from 'node:stream'
import { logFieldsText, type RunLogLine } from '../warehouse/sql/run-logs.ts'

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname'])

/**
 * Log lines for a person at a terminal: `warn  salespro.customer  message (key=value)` instead of
 * JSON. Scripts and services (no TTY) get the JSON lines unchanged.
 */
export function humanLogStream(target: NodeJS.WriteStream, beforeWrite?: () => void): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue
        try {
          const entry = JSON.parse(line) as Record<string, unknown>
          const where = entry.source ? `${entry.source}${entry.stream ? `.${entry.stream}` : ''}  ` : ''
          const extra = Object.entries(entry)
            .filter(([k, v]) => !SKIP.has(k) && k !== 'source' && k !== 'stream' && v !== undefined && typeof v !== 'object')
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
          const err = entry.err as { message?: string; stack?: string } | undefined
          beforeWrite?.()
          target.write(`${(LEVELS[entry.level as number] ?? 'log').padEnd(5)}  ${where}${entry.msg ?? ''}${extra ? `  (${extra})` : ''}${err?.stack ? `\n${err.stack}` : ''}\n`)
        } catch {
          target.write(`${line}\n`)
        }
      }
      done()
    },
  })
}

/** A kept line of a run's log (UTC): `2026-12-05 16:05:01.123  warn   read failed (…)  (attempt=2 waitMs=1000)`. */
export function formatLogLine(line: RunLogLine): string {
  const extra = logFieldsText(line.fields)
  return `${line.at.toISOString().replace('T', ' ').slice(0, 23)}  ${line.level.padEnd(5)}  ${line.message}${extra ? `  (${extra})` : ''}`
}
