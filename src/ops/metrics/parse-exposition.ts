/**
 * A strict parser of the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/), for tests: it reports every
 * syntax error with its line number instead of guessing. It accepts what Prometheus's own text
 * parser accepts (blanks between tokens, a trailing comma in `{…}`, `NaN`/`Inf` in any case) and
 * nothing else.
 */
export const METRIC_TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'] as const
export type MetricType = (typeof METRIC_TYPES)[number]

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
  line: number
}

export interface Family {
  name: string
  type?: MetricType
  help?: string
  samples: Sample[]
}

export interface ParsedExposition {
  families: Map<string, Family>
  errors: string[]
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/
const FLOAT = /^[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity)$|^nan$/i
const TIMESTAMP = /^-?\d+$/

/** The suffixes a sample of each type may add to its family's name. */
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
}

export function parseFloatValue(text: string): number | undefined {
  if (!FLOAT.test(text)) return undefined
  const lower = text.toLowerCase().replace(/^\+/, '')
  if (lower === 'nan') return NaN
  if (lower === 'inf' || lower === 'infinity') return Infinity
  if (lower === '-inf' || lower === '-infinity') return -Infinity
  return Number(text)
}

export function parseExposition(text: string): ParsedExposition {
  const families = new Map<string, Family>()
  const errors: string[] = []
  /** families whose group has ended: another family's line came after them */
  const closed = new Set<string>()
  let current: Family | undefined
  const enter = (family: Family, lineNo: number) => {
    if (current === family) return
    if (closed.has(family.name))
      errors.push(`line ${lineNo}: the lines of ${family.name} are not grouped together`)
    if (current) closed.add(current.name)
    current = family
  }
  const familyOf = (name: string) => {
    let family = families.get(name)
    if (!family) families.set(name, (family = { name, samples: [] }))
    return family
  }

  if (text.length > 0 && !text.endsWith('\n')) errors.push('the text does not end with a line feed')
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  lines.forEach((line, index) => {
    const lineNo = index + 1
    if (line.trim() === '') return
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line)
      if (!meta) return // any other comment is allowed and ignored
      const [, keyword, name, rest = ''] = meta
      if (!METRIC_NAME.test(name) || METRIC_NAME.exec(name)?.[0] !== name) {
        errors.push(`line ${lineNo}: invalid metric name ${JSON.stringify(name)}`)
        return
      }
      const family = familyOf(name)
      enter(family, lineNo)
      if (family.samples.length > 0)
        errors.push(`line ${lineNo}: # ${keyword} ${name} comes after its samples`)
      if (keyword === 'HELP') {
        if (family.help !== undefined) errors.push(`line ${lineNo}: a second HELP for ${name}`)
        // HELP escapes only backslash and line feed
        if (/\\(?!n)/.test(rest.replace(/\\\\/g, '')))
          errors.push(`line ${lineNo}: invalid escape in the HELP of ${name}`)
        family.help = rest.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'))
      } else {
        if (family.type !== undefined) errors.push(`line ${lineNo}: a second TYPE for ${name}`)
        if (!(METRIC_TYPES as readonly string[]).includes(rest))
          errors.push(`line ${lineNo}: unknown TYPE ${JSON.stringify(rest)} for ${name}`)
        else family.type = rest as MetricType
      }
      return
    }
    const sample = parseSampleLine(line, lineNo, errors)
    if (!sample) return
    const family = findFamily(families, sample.name)
    if (!family) {
      errors.push(`line ${lineNo}: sample ${sample.name} has no # TYPE line before it`)
      return
    }
    enter(family, lineNo)
    family.samples.push(sample)
  })
  return { families, errors }
}

/** The declared family a sample belongs to: its own name, or its name less a suffix its type allows. */
function findFamily(families: Map<string, Family>, name: string): Family | undefined {
  for (const suffix of ['', '_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue
    const family = families.get(name.slice(0, name.length - suffix.length))
    if (family?.type && SUFFIXES[family.type].includes(suffix)) return family
  }
  return undefined
}

function parseSampleLine(line: string, lineNo: number, errors: string[]): Sample | undefined {
  const fail = (why: string) => (errors.push(`line ${lineNo}: ${why}: ${line}`), undefined)
  const name = METRIC_NAME.exec(line)?.[0]
  if (!name) return fail('invalid metric name')
  let rest = line.slice(name.length)
  let labels: Record<string, string> = {}
  if (skipBlanks(rest).startsWith('{')) {
    const set = parseLabelSet(skipBlanks(rest).slice(1))
    if ('error' in set) return fail(set.error)
    ;({ labels, rest } = set)
  } else if (skipBlanks(rest) === rest) {
    // a bare name must be followed by a blank, else what follows would be part of the name
    return fail('invalid metric name')
  }
  const parts = skipBlanks(rest).split(/[ \t]+/)
  if (parts[parts.length - 1] === '') parts.pop()
  if (parts.length < 1 || parts.length > 2) return fail('expected blanks, a value and an optional timestamp')
  const value = parseFloatValue(parts[0])
  if (value === undefined) return fail(`invalid value ${JSON.stringify(parts[0])}`)
  if (parts.length === 2 && !TIMESTAMP.test(parts[1]))
    return fail(`invalid timestamp ${JSON.stringify(parts[1])}`)
  return { name, labels, value, line: lineNo }
}

/** Reads `name="value",…}` (the text after `{`): label values escape only `\\`, `\"` and `\n`. */
function parseLabelSet(text: string): { labels: Record<string, string>; rest: string } | { error: string } {
  const labels: Record<string, string> = {}
  let rest = skipBlanks(text)
  while (!rest.startsWith('}')) {
    const labelName = LABEL_NAME.exec(rest)?.[0]
    if (!labelName) return { error: 'invalid label name' }
    if (labelName.startsWith('__')) return { error: `label name ${labelName} is reserved` }
    if (labelName in labels) return { error: `label ${labelName} appears twice` }
    rest = skipBlanks(rest.slice(labelName.length))
    if (!rest.startsWith('=')) return { error: `label ${labelName} lacks =` }
    rest = skipBlanks(rest.slice(1))
    if (!rest.startsWith('"')) return { error: `the value of label ${labelName} is not quoted` }
    let value = ''
    let i = 1
    for (; rest[i] !== '"'; i++) {
      if (rest[i] === undefined) return { error: `unterminated value of label ${labelName}` }
      if (rest[i] !== '\\') {
        value += rest[i]
        continue
      }
      const escaped = rest[++i]
      if (escaped !== '\\' && escaped !== '"' && escaped !== 'n')
        return { error: `invalid escape in label ${labelName}` }
      value += escaped === 'n' ? '\n' : escaped
    }
    labels[labelName] = value
    rest = skipBlanks(rest.slice(i + 1))
    if (rest.startsWith(',')) rest = skipBlanks(rest.slice(1))
    else if (!rest.startsWith('}')) return { error: `expected , or } after label ${labelName}` }
  }
  return { labels, rest: rest.slice(1) }
}

const skipBlanks = (text: string) => text.replace(/^[ \t]+/, '')
