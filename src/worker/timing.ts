import cronParser from 'cron-parser'
import { SyncError } from '../errors.ts'

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** `--every 15m` → 900 seconds; `30s`, `2h`, `1d`, or combined like `1h30m`. At least 10 seconds. */
export function parseEvery(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+)\s*([smhd])/g)]
  const joined = parts.map((p) => p[0].replace(/\s/g, '')).join('')
  if (parts.length === 0 || joined !== text.replace(/\s/g, ''))
    throw new SyncError('config_invalid', `--every takes a duration like 30s, 15m, 2h or 1d, not ${JSON.stringify(text)}`)
  const seconds = parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNITS[unit], 0)
  if (seconds < 10) throw new SyncError('config_invalid', `--every must be at least 10s (got ${text})`)
  return seconds
}

/** A five-field cron expression (minute hour day-of-month month day-of-week); cron-parser alone would also take a seconds field. */
export function validateCron(expression: string): void {
  const fields = expression.trim().split(/\s+/).filter(Boolean)
  if (fields.length !== 5)
    throw new SyncError(
      'config_invalid',
      `--cron takes five fields (minute hour day-of-month month day-of-week), like "0 3 * * *"; ${JSON.stringify(expression)} has ${fields.length}`,
    )
  try {
    cronParser.parseExpression(expression, { utc: true })
  } catch (error) {
    throw new SyncError('config_invalid', `--cron ${JSON.stringify(expression)} is not a cron expression: ${(error as Error).message}`)
  }
}

/**
 * The next run after `now`: for an interval, the next multiple of it after the previous due time
 * (a scheduler that was down does not fire every missed tick); for cron, its next occurrence (UTC).
 */
export function nextRun(schedule: { every_seconds: number | null; cron: string | null; next_run_at?: Date }, now: Date): Date {
  if (schedule.cron) return cronParser.parseExpression(schedule.cron, { utc: true, currentDate: now }).next().toDate()
  const every = (schedule.every_seconds as number) * 1000
  const previous = schedule.next_run_at?.getTime() ?? now.getTime()
  const missed = Math.max(1, Math.ceil((now.getTime() - previous + 1) / every))
  return new Date(previous + missed * every)
}

export const describeTiming = (s: { every_seconds: number | null; cron: string | null }) =>
  s.cron ? `cron ${s.cron}` : `every ${formatSeconds(s.every_seconds as number)}`

function formatSeconds(total: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) if (total % size === 0) return `${total / size}${unit}`
  return `${total}s`
}
