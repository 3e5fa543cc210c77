import { isUtf8 } from 'node:buffer'

/**
 * A streaming reader for the result files Athena writes: every non-NULL value double-quoted (an
 * embedded `"` doubled), NULL an empty UNQUOTED field, `\n` line ends, UTF-8. Generic CSV
 * parsers either lose NULL vs "" or are slow when told to keep it (csv-parse with a cast
 * callback: ~8,000 rows/s here, against ~1,000,000 for this reader), and the format is strict
 * enough that a small state machine reads it exactly.
 *
 * It reads bytes, not text: each block of the file becomes the byte ranges of its fields, and a
 * value becomes a string only when someone asks for it (`fieldText`). The byte lane
 * (./byte-lane.ts) turns most rows into warehouse rows without making a string of them at all.
 * Every delimiter is ASCII, so a range never cuts a UTF-8 character, and decoding a field alone
 * gives what decoding the whole file would.
 */

/**
 * A field's value: SQL NULL; a quoted value's bytes as they are; a quoted value whose `""` stand
 * for `"`; or an unquoted value (which Athena writes only for the header), as it is.
 */
export const NULL_FIELD = 0
export const PLAIN_FIELD = 1
export const DOUBLED_FIELD = 2
export const BARE_FIELD = 3

/** The whole records of one stretch of the result file, as byte ranges into `bytes`. */
export interface CsvBlock {
  readonly bytes: Buffer
  /** the records' bytes are valid UTF-8 (a field of invalid bytes decodes with U+FFFD in place) */
  readonly utf8: boolean
  /** how many records */
  readonly count: number
  /** record r's fields are the fields first[r] up to first[r + 1] */
  readonly first: Int32Array
  /** per field: where its value starts and ends (inside the quotes), and its kind (NULL_FIELD…) */
  readonly starts: Int32Array
  readonly ends: Int32Array
  readonly kinds: Uint8Array
}

// blocks are cut from at least this many bytes: a page is cut from one block, and the engine's
// fixed cost per page wants pages of a few hundred rows
const BLOCK_BYTES = 64 * 1024

/**
 * The blocks of a CSV byte stream. The bytes a block leaves unread (a record cut by the chunk's
 * end) go in front of the next chunk's; a file that ends inside a record is an error.
 *
 * A block is valid until the next one is asked for: its bytes and its field lists are written
 * over for the next (reading a 1M-row file allocated ~250 MB of them otherwise, and V8 starts a
 * full collection for every few MB of such memory).
 */
export async function* readCsvBlocks(chunks: AsyncIterable<Buffer | string>, blockBytes = BLOCK_BYTES): AsyncGenerator<CsvBlock> {
  let buffer = Buffer.allocUnsafe(Math.max(2 * blockBytes, 1024))
  let filled = 0
  const fields = new FieldList(4096)
  for await (const chunk of chunks) {
    const next = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    if (filled + next.length > buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * buffer.length, filled + next.length))
      buffer.copy(grown, 0, 0, filled)
      buffer = grown
    }
    filled += next.copy(buffer, filled)
    if (filled < blockBytes) continue
    const block = scanCsv(buffer.subarray(0, filled), false, fields)
    if (block.count) yield block
    // the record cut by the end moves to the front, for the next chunk to complete
    buffer.copyWithin(0, block.consumed, filled)
    filled -= block.consumed
  }
  if (filled) {
    const block = scanCsv(buffer.subarray(0, filled), true, fields)
    if (block.consumed < filled) throw new Error(`the result file ends inside a record: ${JSON.stringify(buffer.toString('utf8', block.consumed, Math.min(filled, block.consumed + 80)))}`)
    if (block.count) yield block
  }
}

/** Field `f` of a block as text; NULL is null. */
export function fieldText(block: CsvBlock, f: number): string | null {
  const kind = block.kinds[f]
  if (kind === NULL_FIELD) return null
  const text = block.bytes.toString('utf8', block.starts[f], block.ends[f])
  return kind === DOUBLED_FIELD ? text.replaceAll('""', '"') : text
}

const QUOTE = 34
const COMMA = 44
const LF = 10
const CR = 13

/** A growable list of fields and records, as the scan finds them; a reader scans every block into the same one. */
class FieldList {
  starts: Int32Array
  ends: Int32Array
  kinds: Uint8Array
  /** where each record's fields start */
  first: Int32Array
  length = 0
  constructor(capacity: number) {
    this.starts = new Int32Array(capacity)
    this.ends = new Int32Array(capacity)
    this.kinds = new Uint8Array(capacity)
    this.first = new Int32Array(Math.max(16, capacity >> 3))
  }
  push(start: number, end: number, kind: number): void {
    if (this.length === this.starts.length) {
      const capacity = this.length * 2
      const grow = <T extends Int32Array | Uint8Array>(a: T, b: T) => (b.set(a), b)
      this.starts = grow(this.starts, new Int32Array(capacity))
      this.ends = grow(this.ends, new Int32Array(capacity))
      this.kinds = grow(this.kinds, new Uint8Array(capacity))
    }
    this.starts[this.length] = start
    this.ends[this.length] = end
    this.kinds[this.length++] = kind
  }
}

/**
 * Scans every COMPLETE record in `bytes` and says how far it got; the rest (a record cut by the
 * chunk boundary) is scanned again with the next chunk. `final` ends the last record at the end.
 */
function scanCsv(bytes: Buffer, final: boolean, fields = new FieldList(64)): CsvBlock & { consumed: number } {
  const length = bytes.length
  fields.length = 0
  let first = fields.first
  let count = 0
  let consumed = 0
  // the fields of whole records end here: those of a record cut by the end are left out
  let wholeFields = 0
  let i = 0
  records: while (i < length) {
    const fieldsBefore = fields.length
    for (;;) {
      if (i < length && bytes[i] === QUOTE) {
        let from = i + 1
        let doubled = false
        let end: number
        for (;;) {
          end = bytes.indexOf(QUOTE, from)
          if (end === -1) break records
          // a quote followed by a quote is an escaped quote; at the chunk's edge we cannot tell yet
          if (end + 1 >= length && !final) break records
          if (bytes[end + 1] !== QUOTE) break
          doubled = true
          from = end + 2
        }
        fields.push(i + 1, end, doubled ? DOUBLED_FIELD : PLAIN_FIELD)
        i = end + 1
      } else {
        let end = i
        while (end < length) {
          const c = bytes[end]
          if (c === COMMA || c === LF || c === CR) break
          end++
        }
        if (end >= length && !final) break records
        // Athena writes NULL as an empty unquoted field; "" is always quoted
        fields.push(i, end, end === i ? NULL_FIELD : BARE_FIELD)
        i = end
      }
      if (i >= length) {
        if (!final) break records
        consumed = i
        break
      }
      const c = bytes[i]
      if (c === COMMA) {
        i++
        continue
      }
      if (c === CR) {
        if (i + 1 >= length && !final) break records
        i++
        if (i < length && bytes[i] === LF) i++
      } else if (c === LF) i++
      else throw new Error(`unexpected character ${JSON.stringify(String.fromCharCode(c))} after a value at offset ${i}`)
      consumed = i
      break
    }
    if (count + 2 > first.length) {
      const grown = new Int32Array(first.length * 2)
      grown.set(first)
      first = fields.first = grown
    }
    first[count++] = fieldsBefore
    wholeFields = fields.length
  }
  first[count] = wholeFields
  const utf8 = isUtf8(consumed === length ? bytes : bytes.subarray(0, consumed))
  return { bytes, utf8, count, first, starts: fields.starts, ends: fields.ends, kinds: fields.kinds, consumed }
}
