/**
 * Athena's `ExecutionParameters`: each `?` placeholder outside quotes and comments is replaced
 * by one parameter, in order. Athena uses a parameter that parses as an expression as that
 * expression, so text is inserted as given (`'abc'` for a string, `42` for a number).
 * Returns undefined when the counts differ.
 */
export function substituteParameters(sql: string, parameters: readonly string[]): string | undefined {
  let out = ''
  let used = 0
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]
    const skipTo = (end: number) => {
      const stop = end < 0 ? sql.length : end
      out += sql.slice(i, stop)
      i = stop - 1
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1
      while (j < sql.length && !(sql[j] === ch && sql[j + 1] !== ch)) j += sql[j] === ch ? 2 : 1
      skipTo(j + 1)
    } else if (ch === '-' && sql[i + 1] === '-') {
      skipTo(sql.indexOf('\n', i))
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      skipTo(end < 0 ? -1 : end + 2)
    } else if (ch === '?') {
      if (used >= parameters.length) return undefined
      out += parameters[used++]
    } else {
      out += ch
    }
  }
  return used === parameters.length ? out : undefined
}
