/**
 * Runs tasks one at a time, in call order. A DuckDB connection must not run two statements at
 * once, and the admin mutations must not interleave.
 */
export type Serial = <T>(task: () => Promise<T>) => Promise<T>

export function createSerial(): Serial {
  let tail: Promise<unknown> = Promise.resolve()
  return (task) => {
    const next = tail.then(task, task)
    tail = next.catch(() => undefined)
    return next
  }
}
