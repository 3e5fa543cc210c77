/**
 * One computation shared by every request that arrives while it runs or within `ttlMs` after it
 * finished: fifty viewers of the overview cost one set of queries, not fifty, and its figures are
 * at most `ttlMs` old (the live feed carries what changes in between). `invalidate()` drops the
 * kept result, for events that are known to change it.
 */
export function sharedResult<T>(compute: () => Promise<T>, ttlMs: number): { get(): Promise<T>; invalidate(): void } {
  let current: { value: Promise<T>; until: number } | undefined
  return {
    get() {
      if (current && performance.now() < current.until) return current.value
      const entry = { value: compute(), until: Number.POSITIVE_INFINITY }
      current = entry
      // kept while it runs, then for ttlMs; a failure is never kept
      entry.value.then(
        () => (entry.until = performance.now() + ttlMs),
        () => current === entry && (current = undefined),
      )
      return entry.value
    },
    invalidate() {
      current = undefined
    },
  }
}
