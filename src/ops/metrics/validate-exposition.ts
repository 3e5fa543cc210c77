import {
  parseExposition,
  parseFloatValue,
  type Family,
  type ParsedExposition,
  type Sample,
} from './parse-exposition.ts'

export interface ValidationResult extends ParsedExposition {
  ok: boolean
}

/**
 * Checks a `/metrics` text beyond its syntax: every family has HELP and TYPE before its samples, no
 * series appears twice, counters are not negative, and each histogram series has buckets with
 * increasing `le` ending in `+Inf`, non-decreasing counts, a `_sum`, and a `_count` equal to its
 * `+Inf` bucket. Returns the parsed families as well, so tests can read values from them.
 */
export function validateExposition(text: string): ValidationResult {
  const parsed = parseExposition(text)
  const errors = [...parsed.errors]
  for (const family of parsed.families.values()) {
    if (family.type === undefined) errors.push(`${family.name}: no # TYPE line`)
    if (family.help === undefined || family.help.trim() === '') errors.push(`${family.name}: no # HELP text`)
    errors.push(...duplicateSeries(family))
    if (family.type === 'counter') {
      for (const s of family.samples)
        if (!(s.value >= 0))
          errors.push(`line ${s.line}: counter ${s.name} is ${s.value}; counters are never negative`)
    }
    if (family.type === 'histogram') errors.push(...histogramErrors(family))
    if (family.type === 'summary') {
      for (const s of family.samples)
        if (s.name === family.name && parseFloatValue(s.labels.quantile ?? '') === undefined)
          errors.push(`line ${s.line}: summary sample ${s.name} lacks a valid quantile label`)
    }
  }
  return { ...parsed, errors, ok: errors.length === 0 }
}

/** A series' identity: its name and its labels in name order. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
  return `${name}{${sorted.join(',')}}`
}

function duplicateSeries(family: Family): string[] {
  const seen = new Set<string>()
  const errors: string[] = []
  for (const s of family.samples) {
    const key = seriesKey(s.name, s.labels)
    if (seen.has(key)) errors.push(`line ${s.line}: duplicate series ${key}`)
    seen.add(key)
  }
  return errors
}

function histogramErrors(family: Family): string[] {
  const errors: string[] = []
  const groups = new Map<string, { buckets: Sample[]; sum?: Sample; count?: Sample }>()
  for (const s of family.samples) {
    const { le, ...rest } = s.labels
    const key = seriesKey(family.name, rest)
    let group = groups.get(key)
    if (!group) groups.set(key, (group = { buckets: [] }))
    if (s.name.endsWith('_bucket')) {
      if (le === undefined || parseFloatValue(le) === undefined)
        errors.push(`line ${s.line}: bucket of ${key} lacks a valid le label`)
      else group.buckets.push(s)
    } else if (le !== undefined) errors.push(`line ${s.line}: ${s.name} must not have an le label`)
    else if (s.name.endsWith('_sum')) group.sum = s
    else group.count = s
  }
  for (const [key, { buckets, sum, count }] of groups) {
    if (buckets.length === 0) errors.push(`${key}: a histogram series without buckets`)
    if (!sum) errors.push(`${key}: no _sum`)
    if (!count) errors.push(`${key}: no _count`)
    let previous: Sample | undefined
    for (const s of buckets) {
      if (!Number.isInteger(s.value) || s.value < 0)
        errors.push(`line ${s.line}: bucket count ${s.value} is not a count`)
      if (previous) {
        if (!(parseFloatValue(s.labels.le)! > parseFloatValue(previous.labels.le)!))
          errors.push(`line ${s.line}: le="${s.labels.le}" does not increase after "${previous.labels.le}"`)
        if (s.value < previous.value) errors.push(`line ${s.line}: bucket counts of ${key} decrease`)
      }
      previous = s
    }
    const last = buckets[buckets.length - 1]
    if (last && parseFloatValue(last.labels.le) !== Infinity)
      errors.push(`${key}: the last bucket is not le="+Inf"`)
    if (last && count && count.value !== last.value)
      errors.push(`line ${count.line}: ${key} _count ${count.value} differs from its +Inf bucket`)
  }
  return errors
}
