import type { ErrorCode } from '../errors.ts'
import type { SummaryStatus } from './run-state.ts'

/** The outcome of one stream's run: what `runSync` returns instead of throwing. */
export interface RunSummary {
  runId: number | null
  source: string
  stream: string
  mode: string
  status: SummaryStatus
  fetched: number
  inserted: number
  updated: number
  unchanged: number
  rejected: number
  /** records stored with a field nulled because it did not fit its column (see `_meta`) */
  coerced: number
  deleted: number
  cursorFrom: unknown
  cursorTo: unknown
  durationMs: number
  error: string | null
  errorCode: ErrorCode | null
  dryRun: boolean
  attempts: number
}

export function emptySummary(source: string, stream: string, mode: string, dryRun: boolean): RunSummary {
  return {
    runId: null,
    source,
    stream,
    mode,
    status: 'failed',
    fetched: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    coerced: 0,
    deleted: 0,
    cursorFrom: null,
    cursorTo: null,
    durationMs: 0,
    error: null,
    errorCode: null,
    dryRun,
    attempts: 1,
  }
}

/** 0 when every run succeeded, 1 when any failed, was partial, cancelled or skipped. */
export const exitCodeOf = (summaries: readonly RunSummary[]) => (summaries.every((s) => s.status === 'succeeded') ? 0 : 1)
