import type { z } from 'zod'

/**
 * Turns zod issues about a config file into lines that name the file, the line, the key and what
 * is allowed: `crmsync.config.json:7: sources.salespro.batchSzie: unknown key; allowed: …`.
 */
export function describeConfigIssues(options: {
  issues: readonly z.core.$ZodIssue[]
  schema: z.ZodType
  file: string
  /** key path → line, from jsoncKeyLines */
  lines: ReadonlyMap<string, number>
}): string[] {
  const { issues, schema, file, lines } = options
  const out: string[] = []
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = keysAt(schema, issue.path)
      const noun = issue.path.length === 1 && issue.path[0] === 'sources' ? 'source' : 'key'
      for (const key of issue.keys) {
        const path = [...issue.path, key]
        const what = noun === 'source' ? `unknown source; crmsync knows ${allowed.join(', ')}` : `unknown key; allowed: ${allowed.join(', ') || '(none)'}`
        out.push(`${where(file, lines, path)}: ${path.join('.')}: ${what}`)
      }
    } else out.push(`${where(file, lines, issue.path)}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`)
  }
  return out
}

/** `file:line`, with the line of the key or of its nearest ancestor that has one. */
function where(file: string, lines: ReadonlyMap<string, number>, path: readonly PropertyKey[]): string {
  for (let n = path.length; n > 0; n--) {
    const line = lines.get(path.slice(0, n).map(String).join('.'))
    if (line !== undefined) return `${file}:${line}`
  }
  return file
}

interface Def {
  type: string
  shape?: Record<string, z.ZodType>
  innerType?: z.ZodType
  in?: z.ZodType
  element?: z.ZodType
  valueType?: z.ZodType
  options?: z.ZodType[]
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def

/** The keys an object schema allows at `path` (through optionals, defaults, arrays and records). */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let def = defOf(schema)
  for (let n = 0; ; ) {
    const inner = def.innerType ?? def.in ?? (def.type === 'union' ? def.options?.[0] : undefined)
    if (inner) def = defOf(inner)
    else if (n === path.length) return def.shape ? Object.keys(def.shape) : []
    else if (def.shape) def = defOf(def.shape[String(path[n++])] ?? ({ _zod: { def: { type: 'unknown' } } } as never))
    else if (def.element) (def = defOf(def.element)), n++
    else if (def.valueType) (def = defOf(def.valueType)), n++
    else return []
  }
}
