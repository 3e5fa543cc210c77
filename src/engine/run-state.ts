/**
 * Run statuses: a run is `running` until it ends, once, in one of the others (finishRun only
 * ends a run that is still running, and the dead-run sweep only one whose process is gone).
 */
export const RUN_STATUSES = ['running', 'succeeded', 'partial', 'failed', 'cancelled'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** What a summary can say: a run's final status, or `skipped` when it never started (the stream was busy). */
export type SummaryStatus = Exclude<RunStatus, 'running'> | 'skipped'
