/**
 * A streaming reader for the result files Athena writes: every non-NULL value double-quoted (an
 * embedded `"` doubled), NULL an empty UNQUOTED field, `\n` line ends, UTF-8. Generic CSV
 * parsers either lose NULL vs "" or are slow when told to keep it (csv-parse with a cast
 * callback: ~8,000 rows/s here, against ~1,000,000 for this reader), and the format is strict
 * enough that a small state machine reads it exactly.
 *
 * Yields the records of each chunk as one batch, so the per-row cost is a few string slices.
 * The bytes a chunk leaves unparsed (a record cut by the chunk's end, or part of a UTF-8
 * character) go in front of the next chunk's bytes BEFORE decoding: each chunk becomes one flat
 * string, never `rest + next` joined as strings, which V8 would copy again on the first read
 * (twice the bytes, as UTF-16, as soon as a name like Łukasz is in the chunk).
 */
export async function* readAthenaCsv(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<(string | null)[][]> {
  let rest: Buffer = Buffer.alloc(0)
  for await (const chunk of chunks) {
    const next = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    const bytes = rest.length ? Buffer.concat([rest, next]) : next
    const end = completeUtf8Length(bytes)
    const text = bytes.toString('utf8', 0, end)
    const { records, consumed } = parseComplete(text, false)
    const tailBytes = consumed === text.length ? 0 : Buffer.byteLength(text.slice(consumed))
    // a copy: the chunk's buffer is not kept alive by the few bytes carried over
    rest = Buffer.from(bytes.subarray(end - tailBytes))
    if (records.length) yield records
  }
  const last = rest.toString('utf8')
  if (last.length) {
    const { records, consumed } = parseComplete(last, true)
    if (consumed < last.length) throw new Error(`the result file ends inside a record: ${JSON.stringify(last.slice(consumed, consumed + 80))}`)
    if (records.length) yield records
  }
}

/** How many leading bytes of `bytes` are whole UTF-8 characters (a character cut at the end is left out). */
function completeUtf8Length(bytes: Buffer): number {
  const length = bytes.length
  // walk back over continuation bytes (10xxxxxx) to the last lead byte, at most 3
  let i = length - 1
  while (i >= 0 && i >= length - 4 && (bytes[i] & 0xc0) === 0x80) i--
  if (i < 0) return length
  const lead = bytes[i]
  const size = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
  return i + size <= length ? length : i
}

const QUOTE = 34
const COMMA = 44
const LF = 10
const CR = 13

/**
 * Parses every COMPLETE record in `text` and says how far it got; the rest (a record cut by the
 * chunk boundary) is parsed again with the next chunk. `final` ends the last record at the end.
 */
export function parseComplete(text: string, final: boolean): { records: (string | null)[][]; consumed: number } {
  const records: (string | null)[][] = []
  const length = text.length
  let consumed = 0
  let i = 0
  records: while (i < length) {
    const fields: (string | null)[] = []
    for (;;) {
      let value: string | null
      if (i < length && text.charCodeAt(i) === QUOTE) {
        let from = i + 1
        let doubled = false
        let end: number
        for (;;) {
          end = text.indexOf('"', from)
          if (end === -1) break records
          // a quote followed by a quote is an escaped quote; at the chunk's edge we cannot tell yet
          if (end + 1 >= length && !final) break records
          if (text.charCodeAt(end + 1) !== QUOTE) break
          doubled = true
          from = end + 2
        }
        value = doubled ? text.slice(i + 1, end).replaceAll('""', '"') : text.slice(i + 1, end)
        i = end + 1
      } else {
        let end = i
        while (end < length) {
          const c = text.charCodeAt(end)
          if (c === COMMA || c === LF || c === CR) break
          end++
        }
        if (end >= length && !final) break records
        // Athena writes NULL as an empty unquoted field; "" is always quoted
        value = end === i ? null : text.slice(i, end)
        i = end
      }
      fields.push(value)
      if (i >= length) {
        if (!final) break records
        records.push(fields)
        consumed = i
        break records
      }
      const c = text.charCodeAt(i)
      if (c === COMMA) {
        i++
        continue
      }
      if (c === CR) {
        if (i + 1 >= length && !final) break records
        i++
        if (i < length && text.charCodeAt(i) === LF) i++
      } else if (c === LF) i++
      else throw new Error(`unexpected character ${JSON.stringify(text[i])} after a value at offset ${i}`)
      records.push(fields)
      consumed = i
      break
    }
  }
  return { records, consumed }
}
