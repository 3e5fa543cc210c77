/**
 * Waits `ms`, or less when `signal` aborts first (it resolves either way: the caller looks at the
 * signal). The abort listener goes when the timer fires, so a loop that waits many times on one
 * run's signal leaves none behind.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const onAbort = () => (clearTimeout(timer), resolve())
    const timer = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
