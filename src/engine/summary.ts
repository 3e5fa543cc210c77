import type { ErrorCode } from '../errors.ts'
import { zeroRunCounts, type RunCounts } from '../run-counts.ts'
import type { SummaryStatus } from './run-state.ts'

/** The outcome of one stream's run: what `runSync` returns instead of throwing; its counts are `RUN_COUNTS`. */
export interface RunSummary extends RunCounts {
  runId: number | null
  source: string
  stream: string
  mode: string
  status: SummaryStatus
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
    ...zeroRunCounts(),
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
