import type { z } from 'zod'
import { columnMaker } from '../../columns.ts'
import { recordShape, SLIM_PREFIX, type FieldKind, type RecordShape, type ShapeField } from '../../record-shape.ts'
import { isCalendarDay } from '../processors.ts'
import { QUOTES_DOUBLED, type LanePlan, type PlainRecord, type RowEncoder } from '../types.ts'
import { BARE_FIELD, DOUBLED_FIELD, NULL_FIELD, PLAIN_FIELD, type CsvBlock } from './athena-csv.ts'
import { parse, type Parser } from './processors.ts'

/**
 * SalesPro's byte lane (`ByteRows`, src/connectors/types.ts): a row of the result file becomes
 * its warehouse row's values and `_raw` straight from the file's bytes. It takes a row only when
 * what it writes is certainly what the usual path would write:
 * - every value plain (valid UTF-8, no control character or backslash): COPY takes it as it is,
 *   and JSON.stringify of the row would escape nothing in it but its quotes;
 * - text columns as they are; timestamps in Athena's own form (`YYYY-MM-DD HH:MM:SS[.fff]`, a
 *   real instant) read in UTC, which the processor writes with a `Z` after; `true` and `false`;
 *   integers and decimals in their plain form (`-12`, `1234.50`), which the processor keeps;
 * - a key of printable ASCII, and the cursor column present.
 * Any other row, or a table with a column it does not read (a date, a zone other than UTC), takes the usual path.
 *
 * With the plan's slimRaw it stores `_raw` slim (src/record-shape.ts): only the fields its columns cannot give back. A
 * field no column holds, and a decimal (its column may pad it to its scale), always; a timestamp
 * unless it is in Athena's exact form `YYYY-MM-DD HH:MM:SS.fff`. The whole record is still built,
 * for the hash.
 */

/** What the lane knows of a keyed table: its record schema, each declared column's parser, the key column and the cursor column. */
export interface LaneTable {
  readonly schema: z.ZodObject
  readonly parsers: Readonly<Record<string, Parser>>
  readonly key: string
  readonly cursorColumn: string
}

// how a column's value is read: text as it is; an Athena timestamp, written with a `Z`; `true` or
// `false`, written `t` or `f`; an integer or a decimal in its plain form, written as it is
const TEXT = 0
const TIMESTAMP = 1
const BOOLEAN = 2
const INTEGER = 3
const DECIMAL = 4

interface LaneColumn {
  /** the header field it is read from; -1 when the result has no such column (always NULL) */
  readonly field: number
  readonly kind: typeof TEXT | typeof TIMESTAMP | typeof BOOLEAN | typeof INTEGER | typeof DECIMAL
  /** NULL or a value the lane cannot read leaves the row to the usual path (the cursor column) */
  readonly required: boolean
  /** a decimal's most digits before its point (its precision less its scale) */
  readonly wholeDigits: number
}

/** A plan compiled against one result's header. */
export interface Lane {
  readonly columns: readonly LaneColumn[]
  readonly keyField: number
  /** per header field, the JSON before its value: `{"name":` for the first, `,"name":` after */
  readonly names: readonly Buffer[]
  /** their bytes together */
  readonly namesBytes: number
  readonly fieldCount: number
  /** with the plan's slimRaw, how `_raw` is written slim */
  readonly slim?: SlimPlan
}

interface SlimPlan {
  /** the shape the slim `_raw` names, and its first bytes: `{"~shape":"ID"` */
  readonly shape: RecordShape
  readonly start: Buffer
  /** per header field, when the slim `_raw` keeps its value: NEVER, ALWAYS, or UNLESS_EXACT (a timestamp) */
  readonly keeps: Uint8Array
}

const NEVER = 0
const ALWAYS = 1
const UNLESS_EXACT = 2

// a column name that JSON.stringify writes as it is and in its place (no escapes, not an array
// index, which objects order first, and not __proto__, which an assignment does not create)
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The lane for a batch's plan and a result's header, or undefined when some column is not one it reads. */
export function compileLane(header: readonly string[], table: LaneTable, plan: LanePlan): Lane | undefined {
  if (plan.timeZone !== 'UTC' || plan.keyColumn !== table.key) return undefined
  if (new Set(header).size !== header.length || header.some((name) => !PLAIN_NAME.test(name) || name === '__proto__')) return undefined
  const declared = new Set<string>()
  const columns: LaneColumn[] = []
  for (const column of plan.columns) {
    const field = header.indexOf('base' in column ? (column.from ?? '') : column.name)
    if ('base' in column) {
      // a column the engine types from a source field: text as it is, or a timestamp
      if (column.from === undefined || (column.base !== 'text' && column.base !== 'timestamptz')) return undefined
      columns.push({ field, kind: column.base === 'text' ? TEXT : TIMESTAMP, required: false, wholeDigits: 0 })
      continue
    }
    const kind = declaredKind(table, column.name)
    if (kind === undefined) return undefined
    declared.add(column.name)
    columns.push({ field, ...kind, required: column.name === table.cursorColumn })
  }
  // every declared column must be written, or a value that fails its check would go unnoticed
  if (Object.keys(table.parsers).some((name) => !declared.has(name))) return undefined
  const keyField = header.indexOf(table.key)
  if (keyField < 0) return undefined
  const names = header.map((name, i) => Buffer.from(`${i === 0 ? '{' : ','}${JSON.stringify(name)}:`, 'latin1'))
  const slim = plan.slimRaw ? slimPlan(header, columns, plan) : undefined
  return { columns, keyField, names, namesBytes: names.reduce((sum, name) => sum + name.length, 0), fieldCount: header.length, slim }
}

/** How a result with `header` stores `_raw` slim: each field rebuilt from its column, or kept. */
function slimPlan(header: readonly string[], columns: readonly LaneColumn[], plan: LanePlan): SlimPlan {
  const fields = header.map((name, f): ShapeField => {
    const c = columns.findIndex((column) => column.field === f)
    const kind: FieldKind = c < 0 ? 'raw' : FIELD_KINDS[columns[c].kind]
    return [name, kind === 'raw' ? null : plan.columns[c].name, kind]
  })
  const shape = recordShape(fields)
  const keeps = Uint8Array.from(fields, ([, , kind]) => (kind === 'raw' ? ALWAYS : kind === 'timestamp' ? UNLESS_EXACT : NEVER))
  return { shape, start: Buffer.from(`${SLIM_PREFIX}${JSON.stringify(shape.id)}`, 'latin1'), keeps }
}

/** How a field of each lane column's kind is rebuilt from its column: a decimal is not (its column may pad its scale). */
const FIELD_KINDS: Record<LaneColumn['kind'], FieldKind> = { [TEXT]: 'text', [TIMESTAMP]: 'timestamp', [BOOLEAN]: 'boolean', [INTEGER]: 'text', [DECIMAL]: 'raw' }

/**
 * How the lane reads a declared column, or undefined when it cannot: its parser and its schema
 * (which `col.*` made it) must be a pair whose every value it can prove acceptable. Text takes any
 * string or NULL; a key (non-empty text) only as the key column, which the lane checks; a
 * timestamp in Athena's form, written with a `Z`, matches `col.timestamp`'s pattern, and is NULL
 * only where the schema allows it (the required one is the cursor column, which must be there);
 * `true` and `false` are what the processor reads as booleans; an integer of at most 18 digits
 * fits `col.bigint`; a plain decimal with at most precision − scale digits before its point fits
 * `col.decimal`, which the processor leaves as it is.
 */
function declaredKind(table: LaneTable, name: string): Pick<LaneColumn, 'kind' | 'wholeDigits'> | undefined {
  const parser = table.parsers[name]
  const maker = columnMaker(table.schema.shape[name])
  const kind = (k: LaneColumn['kind'], wholeDigits = 0) => ({ kind: k, wholeDigits })
  switch (maker?.name) {
    case 'text':
      return parser === parse.text ? kind(TEXT) : undefined
    case 'key':
      return parser === parse.text && name === table.key ? kind(TEXT) : undefined
    case 'timestamp':
      return parser === parse.timestamp ? kind(TIMESTAMP) : undefined
    case 'timestampRequired':
      return parser === parse.timestamp && name === table.cursorColumn ? kind(TIMESTAMP) : undefined
    case 'boolean':
      return parser === parse.boolean ? kind(BOOLEAN) : undefined
    case 'bigint':
      return parser === parse.bigint ? kind(INTEGER) : undefined
    case 'decimal':
      return parser === parse.decimal && maker.precision !== undefined && maker.scale !== undefined ? kind(DECIMAL, maker.precision - maker.scale) : undefined
    default:
      return undefined
  }
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const Z = 0x5a

/** The encoder of one block's records from `offset` on. */
export function laneEncoder(lane: Lane, block: CsvBlock, offset: number): RowEncoder {
  const { columns, keyField, names, namesBytes, fieldCount, slim } = lane
  const { bytes, first, starts, ends, kinds } = block
  return {
    shape: slim?.shape,
    encode(i: number, out: PlainRecord): boolean {
      if (!block.utf8) return false
      const r = offset + i
      const at = first[r]
      if (first[r + 1] - at !== fieldCount) return false
      const last = at + fieldCount - 1
      const keyAt = at + keyField
      if (kinds[keyAt] !== PLAIN_FIELD || !printableKey(bytes, starts[keyAt], ends[keyAt])) return false
      const spans = out.spans
      for (let c = 0; c < columns.length; c++) {
        const column = columns[c]
        const f = at + column.field
        const kind = column.field < 0 ? NULL_FIELD : kinds[f]
        if (kind === NULL_FIELD) {
          if (column.required) return false
          spans[3 * c] = -1
          spans[3 * c + 1] = -1
          spans[3 * c + 2] = 0
          continue
        }
        const start = starts[f]
        let end = ends[f]
        if (column.kind !== TEXT) {
          if (kind !== PLAIN_FIELD) return false
          if (column.kind === TIMESTAMP && !athenaTimestamp(bytes, start, end)) return false
          if (column.kind === INTEGER && !plainNumber(bytes, start, end, 18, false)) return false
          if (column.kind === DECIMAL && !plainNumber(bytes, start, end, column.wholeDigits, true)) return false
          if (column.kind === BOOLEAN) {
            // `true` is written `t`, `false` `f`: their first letter
            if (!booleanWord(bytes, start, end)) return false
            end = start + 1
          }
        }
        spans[3 * c] = start
        spans[3 * c + 1] = end
        spans[3 * c + 2] = column.kind === TIMESTAMP ? Z : kind === DOUBLED_FIELD ? QUOTES_DOUBLED : 0
      }
      // the row's JSON, as JSON.stringify writes the row object; at most the record's bytes, the
      // names, and `null` or two quotes a value
      const bound = out.rawStart + ends[last] - starts[at] + namesBytes + 4 * fieldCount + 1
      if (out.raw.length < bound) {
        const grown = Buffer.allocUnsafe(Math.max(out.raw.length * 2, bound))
        out.raw.copy(grown, 0, 0, out.rawStart)
        out.raw = grown
      }
      const raw = out.raw
      let p = out.rawStart
      let escaped = false
      for (let f = at; f <= last; f++) {
        const name = names[f - at]
        for (let k = 0; k < name.length; k++) raw[p++] = name[k]
        const kind = kinds[f]
        if (kind === NULL_FIELD) {
          raw[p++] = 0x6e // n
          raw[p++] = 0x75 // u
          raw[p++] = 0x6c // l
          raw[p++] = 0x6c // l
          continue
        }
        if (kind === BARE_FIELD) return false
        raw[p++] = QUOTE
        // each value byte checked as it is copied: no control character or backslash; a CSV `""`
        // is one quote in the value, `\"` in JSON
        for (let q = starts[f], end = ends[f]; q < end; q++) {
          const b = bytes[q]
          if (b < 0x20 || b === BACKSLASH) return false
          if (b === QUOTE) {
            raw[p++] = BACKSLASH
            escaped = true
            q++
          }
          raw[p++] = b
        }
        raw[p++] = QUOTE
      }
      raw[p++] = 0x7d
      out.rawEnd = p
      out.rawEscaped = escaped
      if (slim) writeSlim(slim, out, at, last)
      out.source = bytes
      out.key = bytes.toString('latin1', starts[keyAt], ends[keyAt])
      return true
    },
  }

  /** The slim `_raw` of the row whose fields are `at…last` (already checked plain): its shape, then each field its columns cannot give back. */
  function writeSlim({ start: shapeStart, keeps: fieldKeeps }: SlimPlan, out: PlainRecord, at: number, last: number): void {
    // at most the whole record's JSON and the shape
    const bound = shapeStart.length + out.rawEnd - out.rawStart + 1
    if (out.slim.length < bound) out.slim = Buffer.allocUnsafe(Math.max(out.slim.length * 2, bound))
    const slim = out.slim
    let p = shapeStart.copy(slim, 0)
    let escaped = false
    for (let f = at; f <= last; f++) {
      const keeps = fieldKeeps[f - at]
      if (keeps === NEVER) continue
      const kind = kinds[f]
      const start = starts[f]
      const end = ends[f]
      if (keeps === UNLESS_EXACT && (kind === NULL_FIELD || exactTimestamp(bytes, start, end))) continue
      const name = names[f - at]
      slim[p++] = 0x2c // , (the name's own first byte is `{` for the first field)
      for (let k = 1; k < name.length; k++) slim[p++] = name[k]
      if (kind === NULL_FIELD) {
        p += slim.write('null', p, 'latin1')
        continue
      }
      slim[p++] = QUOTE
      for (let q = start; q < end; q++) {
        if (bytes[q] === QUOTE) {
          slim[p++] = BACKSLASH
          escaped = true
          q++
        }
        slim[p++] = bytes[q]
      }
      slim[p++] = QUOTE
    }
    slim[p++] = 0x7d
    out.slimEnd = p
    out.slimEscaped = escaped
  }
}

/** A timestamp the lane took (athenaTimestamp) in exactly Athena's form `YYYY-MM-DD HH:MM:SS.fff`, which its column gives back. */
const exactTimestamp = (bytes: Buffer, from: number, to: number) => to - from === 23 && bytes[from + 10] === 0x20

/** A key of printable ASCII, no space, quote or backslash: the usual path would take it exactly as it is. */
function printableKey(bytes: Buffer, from: number, to: number): boolean {
  if (from === to) return false
  for (let p = from; p < to; p++) {
    const b = bytes[p]
    if (b <= 0x20 || b >= 0x7f || b === QUOTE || b === BACKSLASH) return false
  }
  return true
}

const isDigit = (b: number) => b >= 0x30 && b <= 0x39
const twoAt = (bytes: Buffer, p: number) => (bytes[p] - 0x30) * 10 + bytes[p + 1] - 0x30
// where `YYYY-MM-DD HH:MM:SS` has its digits
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]

/**
 * `YYYY-MM-DD[ T]HH:MM:SS[.f{1,9}]` naming a real instant: the processor's fast form, which it
 * writes back with a `Z` in UTC (src/connectors/processors.ts, timestampText).
 */
function athenaTimestamp(bytes: Buffer, from: number, to: number): boolean {
  const length = to - from
  if (length !== 19 && (length < 21 || length > 29)) return false
  const separator = bytes[from + 10]
  if (bytes[from + 4] !== 0x2d || bytes[from + 7] !== 0x2d || (separator !== 0x20 && separator !== 0x54) || bytes[from + 13] !== 0x3a || bytes[from + 16] !== 0x3a) return false
  for (let k = 0; k < DIGITS.length; k++) if (!isDigit(bytes[from + DIGITS[k]])) return false
  if (length > 19) {
    if (bytes[from + 19] !== 0x2e) return false
    for (let p = from + 20; p < to; p++) if (!isDigit(bytes[p])) return false
  }
  if (!isCalendarDay(twoAt(bytes, from) * 100 + twoAt(bytes, from + 2), twoAt(bytes, from + 5), twoAt(bytes, from + 8))) return false
  return twoAt(bytes, from + 11) < 24 && twoAt(bytes, from + 14) < 60 && twoAt(bytes, from + 17) < 60
}

const TRUE = Buffer.from('true')
const FALSE = Buffer.from('false')

/** Exactly `true` or `false`: the words Athena writes for a boolean, which the processor reads as such. */
function booleanWord(bytes: Buffer, from: number, to: number): boolean {
  const word = to - from === 4 ? TRUE : to - from === 5 ? FALSE : undefined
  if (!word) return false
  for (let k = 0; k < word.length; k++) if (bytes[from + k] !== word[k]) return false
  return true
}

/**
 * `-?(0|[1-9][0-9]*)`, with at most `wholeDigits` digits, then (when `fraction`) `.` and digits:
 * the plain form the processors leave as it is. A negative number must have a digit other than
 * 0 (they write `-0.00` as `0.00`).
 */
function plainNumber(bytes: Buffer, from: number, to: number, wholeDigits: number, fraction: boolean): boolean {
  let p = from
  const negative = bytes[p] === 0x2d
  if (negative) p++
  const wholeFrom = p
  while (p < to && isDigit(bytes[p])) p++
  const whole = p - wholeFrom
  if (whole === 0 || whole > wholeDigits || (whole > 1 && bytes[wholeFrom] === 0x30)) return false
  let nonZero = whole > 1 || bytes[wholeFrom] !== 0x30
  if (p < to) {
    if (!fraction || bytes[p] !== 0x2e || p + 1 === to) return false
    for (p++; p < to; p++) {
      if (!isDigit(bytes[p])) return false
      if (bytes[p] !== 0x30) nonZero = true
    }
  }
  return !negative || nonZero
}
