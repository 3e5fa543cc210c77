import { processValue } from '../processors.ts'

/**
 * SalesPro's processors: Athena hands every value over as text (NULL apart from `''`). Each is
 * the shared tolerant processor of its column's type (src/connectors/processors.ts), which reads
 * money text, yes/no flags, integers written `12.0` and zoneless timestamps in the source's zone.
 * A value that still does not fit throws ValueError; the conversion decides what that costs.
 */
export type Parser = (text: string | null, zone: string) => unknown

export const parse = {
  text: (text: string | null) => text,
  boolean: (text: string | null) => processValue('boolean', text),
  decimal: (text: string | null) => processValue('numeric', text),
  bigint: (text: string | null) => processValue('bigint', text),
  /** Athena timestamps have no zone: they are read in the source's zone (UTC unless configured) */
  timestamp: (text: string | null, zone: string) => processValue('timestamptz', text, { zone }),
  date: (text: string | null) => processValue('date', text),
} satisfies Record<string, Parser>
