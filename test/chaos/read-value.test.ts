import { describe, expect, it } from 'vitest'
import { DRIFT_TEXTS } from '../../emulators/salespro/added-values.ts'
import { exportedMoney } from '../../emulators/salespro/values.ts'
import { createRandom } from '../../emulators/shared/random.ts'
import { processValue, ValueError } from '../../src/connectors/processors.ts'
import { HUBSPOT_TEXTS, MONEY_TEXTS } from './garble-values.ts'
import { readAs, readInstant, type ColumnBase } from './read-value.ts'

/**
 * The judge's reading of values (read-value.ts) is written apart from crmsync's processors; on
 * every form the chaos scenarios produce, the two must agree on what is NULL, what cannot be
 * read, and what a value reads as. A disagreement is a question for docs/design.md §3.11.
 */
const BASES: ColumnBase[] = [
  'text',
  'boolean',
  'integer',
  'bigint',
  'numeric',
  'double precision',
  'timestamptz',
  'date',
]

function product(base: ColumnBase, value: unknown): unknown {
  try {
    const v = processValue(base, value)
    if (v === null) return null
    if (base === 'timestamptz') return readInstant(String(v))
    if (base === 'numeric' || base === 'bigint') return Number(v)
    return v
  } catch (error) {
    if (error instanceof ValueError) return 'unreadable'
    throw error
  }
}

const judge = (base: ColumnBase, value: unknown) => {
  const r = readAs(base, value)
  return 'unreadable' in r ? 'unreadable' : r.value
}

const random = createRandom(7)
const CORPUS: unknown[] = [
  ...Array.from({ length: 200 }, () => exportedMoney(random, random.int(0, 5_000_000))),
  ...MONEY_TEXTS,
  ...DRIFT_TEXTS,
  ...Object.values(HUBSPOT_TEXTS).flat(),
  ...['true', 'false', 'TRUE', 't', 'f', 'yes', 'No', 'y', 'n', '1', '0', 'on', 'OFF', 'maybe', ' true '],
  ...['42', '-7', '12.0', '12.5', '1,200', '1.2e3', '3000000000', '9999999999999', '0.00', '-0', '(0.00)'],
  ...[
    '2026-11-01 10:00:00.123',
    '2026-11-01T10:00:00Z',
    '2026-11-01T10:00:00.5+05:30',
    '2026-11-01',
    '2026-02-30',
  ],
  ...[
    '0000-00-00 00:00:00',
    '1767225600000',
    '2026-11-01 24:00:00',
    '2026-11-01T10:00:00-0800',
    '2026-11-01 10:00',
  ],
  ...['Gold', '', '   ', null, 42, -3.5, 0, 1, true, false, 1767225600000],
]

describe('the chaos judge reads values as crmsync does', () => {
  for (const base of BASES) {
    it(`as ${base}`, () => {
      const disagreements = CORPUS.filter((v) => {
        const [a, b] = [judge(base, v), product(base, v)]
        return typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) > 1e-9 * Math.abs(a) : a !== b
      }).map((v) => `${JSON.stringify(v)}: judge ${judge(base, v)}, crmsync ${product(base, v)}`)
      expect(disagreements).toEqual([])
    })
  }
})
