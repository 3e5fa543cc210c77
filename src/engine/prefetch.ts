/**
 * Reads one item ahead: while the engine commits page N, the source is already fetching page
 * N+1, so the network and the warehouse work at the same time. Memory stays bounded at two pages.
 */
export async function* prefetch<T>(source: AsyncIterable<T>, onWait: (ms: number) => void): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]()
  let pending = iterator.next()
  try {
    for (;;) {
      const waitStarted = performance.now()
      const result = await pending
      onWait(performance.now() - waitStarted)
      if (result.done) return
      pending = iterator.next()
      // a failure of the read-ahead surfaces when it is awaited, not as an unhandled rejection
      pending.catch(() => {})
      yield result.value
    }
  } finally {
    await iterator.return?.().catch(() => {})
  }
}
