/** Run statuses and the transitions between them, as data: a run only ever moves along these. */
export const RUN_STATUSES = ['running', 'succeeded', 'partial', 'failed', 'cancelled'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  running: ['succeeded', 'partial', 'failed', 'cancelled'],
  succeeded: [],
  partial: [],
  failed: [],
  cancelled: [],
}

export const canTransition = (from: RunStatus, to: RunStatus) => RUN_TRANSITIONS[from].includes(to)

/** What a summary can say: a run's final status, or `skipped` when it never started (the stream was busy). */
export type SummaryStatus = Exclude<RunStatus, 'running'> | 'skipped'
