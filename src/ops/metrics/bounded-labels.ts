/** The value a label takes once it has seen too many distinct values. */
export const OVERFLOW_LABEL = 'other'

export interface LabelGuardOptions {
  /** distinct values kept per label name; later newcomers become `other` @default 200 */
  maxValues?: number
  /** longer values are cut @default 100 */
  maxLength?: number
}

/** Turns a label's value into the one recorded: itself, cut to length, or `other` past the cap. */
export type LabelGuard = (label: string, value: string | number) => string

/**
 * Label values come from code (source, stream and operation names, status and error codes), so
 * they are bounded by construction. This guard keeps them bounded even when a connector builds an
 * operation name from data (a HubSpot custom object type): every series costs Prometheus memory
 * forever, and one runaway label must not take the monitoring down with it.
 */
export function createLabelGuard(options: LabelGuardOptions = {}): LabelGuard {
  const maxValues = options.maxValues ?? 200
  const maxLength = options.maxLength ?? 100
  const seen = new Map<string, Set<string>>()
  return (label, value) => {
    const text = String(value).slice(0, maxLength)
    let values = seen.get(label)
    if (!values) seen.set(label, (values = new Set()))
    if (values.has(text)) return text
    if (values.size >= maxValues) return OVERFLOW_LABEL
    values.add(text)
    return text
  }
}
