/**
 * Parses JSON with `//` and `/* *\/` comments (the config file is commented so it explains
 * itself). Comments are removed outside strings only, so URLs keep their `//`.
 */
export function parseJsonc(text: string): unknown {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (inString) {
      out += ch
      if (ch === '\\') out += text[++i] ?? ''
      else if (ch === '"') inString = false
    } else if (ch === '"') {
      inString = true
      out += ch
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
      out += '\n'
    } else if (ch === '/' && text[i + 1] === '*') {
      i += 2
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) i++
      i++
    } else out += ch
  }
  // trailing commas, which a hand-edited file often has
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'))
}

/**
 * The line (1-based) of every object key in a JSONC text, by its dotted path (`sources.salespro.
 * batchSize`; array items by index, `customObjects.0.name`), so a config problem can name its line.
 * Text that is not JSONC gives what was found before the fault.
 */
export function jsoncKeyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>()
  let i = 0
  let line = 1
  const skip = () => {
    for (;;) {
      const ch = text[i]
      if (ch === '\n') line++
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === ',') i++
      else if (ch === '/' && text[i + 1] === '/') while (i < text.length && text[i] !== '\n') i++
      else if (ch === '/' && text[i + 1] === '*') {
        i += 2
        while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) if (text[i++] === '\n') line++
        i += 2
      } else return
    }
  }
  const string = () => {
    const start = ++i
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    return JSON.parse(`"${text.slice(start, i++)}"`) as string
  }
  const value = (path: string[]): void => {
    skip()
    const ch = text[i]
    if (ch === '{') {
      i++
      for (skip(); i < text.length && text[i] !== '}'; skip()) {
        if (text[i] !== '"') throw new Error('expected a key')
        const keyLine = line
        const key = string()
        lines.set([...path, key].join('.'), keyLine)
        skip()
        if (text[i++] !== ':') throw new Error('expected :')
        value([...path, key])
      }
      i++
    } else if (ch === '[') {
      i++
      for (let n = 0; (skip(), i < text.length && text[i] !== ']'); n++) value([...path, String(n)])
      i++
    } else if (ch === '"') string()
    else while (i < text.length && !/[\s,\]}/]/.test(text[i])) i++
  }
  try {
    value([])
  } catch {
    // a malformed text: parseJsonc reports it; the lines found so far still help
  }
  return lines
}
