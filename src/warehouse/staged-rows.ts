/**
 * A commit batch's rows, encoded once as COPY text while its pages are prepared and kept as UTF-8
 * bytes until it commits. Bytes live outside the JavaScript heap: a batch held for its whole
 * prepare and commit would otherwise be ~5,000 long strings that the garbage collector copies from one
 * generation to the next on every collection (measured: most of the sync's GC time).
 */
export interface StagedRows {
  /** rows kept, one per key */
  readonly count: number
  /** the primary key of each row as text (see keyText), in key order: row `i` is the row of `keys[i]` */
  readonly keys: readonly string[]
  /** rows the source flagged deleted */
  readonly deletedCount: number
  /** the COPY text of row `i` up to and including `_deleted_at`, without a line end */
  line(i: number): Buffer
  /** the bytes of line `i` */
  lineBytes(i: number): number
  /** copies line `i` to `target` at `at` (no view of it made: this runs for every row); says where it ended */
  copyLine(i: number, target: Buffer, at: number): number
  /** the batch is committed: its chunks go to the next batch to fill, and no line may be read any more */
  release(): void
}

// encoded rows go into chunks of this size; a longer row gets a chunk of its own
const CHUNK_BYTES = 64 * 1024

// Chunks of committed batches, filled again by the next ones. A batch's chunks live through its
// prepare and commit, long enough to reach V8's old generation, where dead buffers wait for a full
// collection, which V8 starts only once ~64 MB of them piled up: reused, they never become garbage
// (measured on 1M SalesPro rows: peak RSS 205 -> 164 MB, full collections 25 -> 9). Two batches
// are alive at once (one prepared while one commits): 16 MB covers them up to the engine's ~8 MB
// per batch; a chunk beyond it is left to the collector, as before.
const spareChunks: Buffer[] = []
const MAX_SPARE_CHUNKS = 256
const takeChunk = () => spareChunks.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES)

/**
 * Collects encoded rows for one batch. A key seen again replaces its earlier row (one statement
 * cannot upsert the same row twice, and the last version read is the newest). The rows are put in
 * key order when the batch is done (see inKeyOrder), and that sort finds the keys seen twice too:
 * no map of keys is kept while rows are added.
 */
export function createStagedRows(): {
  add(key: string, deleted: boolean, line: string): void
  /** adds a row that `write` writes as bytes at `at` of `target` (at most `bytes` of them), saying where it ended */
  addBytes(key: string, deleted: boolean, bytes: number, write: (target: Buffer, at: number) => number): void
  done(): StagedRows
} {
  const chunks: Buffer[] = []
  // per row added: chunk index, start, end, deleted (0 or 1); and its key
  let spans = new Uint32Array(4 * 1024)
  const keys: string[] = []
  let chunk = takeChunk()
  let current = chunks.push(chunk) - 1
  let used = 0

  // room for `bytes` more in the current chunk, or a chunk of its own for a longer row: the chunk
  const room = (bytes: number): number => {
    if (bytes > CHUNK_BYTES) return chunks.push(Buffer.allocUnsafe(bytes)) - 1
    if (used + bytes > CHUNK_BYTES) {
      chunk = takeChunk()
      current = chunks.push(chunk) - 1
      used = 0
    }
    return current
  }

  function place(key: string, isDeleted: boolean, c: number, start: number, end: number): void {
    const i = keys.push(key) - 1
    if (spans.length < 4 * keys.length) {
      const grown = new Uint32Array(spans.length * 2)
      grown.set(spans)
      spans = grown
    }
    spans[4 * i] = c
    spans[4 * i + 1] = start
    spans[4 * i + 2] = end
    spans[4 * i + 3] = isDeleted ? 1 : 0
  }

  return {
    add(key, isDeleted, line) {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit
      const worst = line.length * 3
      if (worst > CHUNK_BYTES) {
        const own = Buffer.from(line)
        return place(key, isDeleted, chunks.push(own) - 1, 0, own.length)
      }
      const c = room(worst)
      const start = used
      used += chunk.write(line, used)
      place(key, isDeleted, c, start, used)
    },
    addBytes(key, isDeleted, bytes, write) {
      const c = room(bytes)
      const target = chunks[c]
      const start = c === current ? used : 0
      const end = write(target, start)
      if (c === current) used = end
      place(key, isDeleted, c, start, end)
    },
    done() {
      const { keys: kept, spans: ordered } = inKeyOrder(keys, spans)
      const count = kept.length
      let deletedCount = 0
      for (let i = 0; i < count; i++) deletedCount += ordered[4 * i + 3]
      return {
        count,
        keys: kept,
        deletedCount,
        line: (i) => chunks[ordered[4 * i]].subarray(ordered[4 * i + 1], ordered[4 * i + 2]),
        lineBytes: (i) => ordered[4 * i + 2] - ordered[4 * i + 1],
        copyLine: (i, target, at) => at + chunks[ordered[4 * i]].copy(target, at, ordered[4 * i + 1], ordered[4 * i + 2]),
        release() {
          for (const c of chunks.splice(0)) if (c.length === CHUNK_BYTES && spareChunks.length < MAX_SPARE_CHUNKS) spareChunks.push(c)
        },
      }
    },
  }
}

const DIGITS = /^[0-9]+$/

/**
 * The rows added (`keys[i]`, spans `4i…4i+3`), in key order, each key once with the last row added
 * for it. Key order is how the table's primary key index orders them, or near enough: PostgreSQL
 * inserts a batch's rows into that index (a first load's COPY, a merge's upsert) far faster in key
 * order than in the source's (its cursor's) order, where each row descends to a leaf far from the
 * last one's (measured: docs/benchmarks.md, "Batches in key order"). Keys of digits compare as
 * numbers (shorter first), as an integer key's index orders them; text compares by UTF-16 code
 * units, which is the byte order of the warehouse's usual C collations for the ASCII keys sources
 * send. Any order is correct: a batch holds each key once and commits whole.
 */
export function inKeyOrder(keys: readonly string[], spans: Uint32Array): { keys: string[]; spans: Uint32Array } {
  const numeric = keys.every((k) => DIGITS.test(k))
  const order = sortedRows(keys, numeric)
  const kept: string[] = []
  const ordered = new Uint32Array(4 * keys.length)
  for (let r = 0; r < order.length; r++) {
    const i = order[r]
    // equal keys sit side by side, in the order they were added: the last is kept
    if (r + 1 < order.length && keys[order[r + 1]] === keys[i]) continue
    const at = 4 * kept.push(keys[i]) - 4
    ordered[at] = spans[4 * i]
    ordered[at + 1] = spans[4 * i + 1]
    ordered[at + 2] = spans[4 * i + 2]
    ordered[at + 3] = spans[4 * i + 3]
  }
  return { keys: kept, spans: ordered }
}

// a row's index takes the low 20 bits of its sort number, its key's prefix the 32 above them
const INDEX_BITS = 2 ** 20

/**
 * The rows' indices in key order, equal keys by index. Sorting the indices with a comparator costs
 * a call into JavaScript per comparison (~10 ms per 20,000 keys); instead each row gets a number,
 * its key's prefix (see prefixOf; after what all keys share) then its index, which a typed array
 * sorts natively (~4 ms). Only rows whose prefixes tie are compared in full.
 */
function sortedRows(keys: readonly string[], numeric: boolean): Uint32Array {
  const count = keys.length
  const compare = (a: number, b: number) => {
    const x = keys[a]
    const y = keys[b]
    if (numeric && x.length !== y.length) return x.length - y.length
    return x < y ? -1 : x > y ? 1 : a - b
  }
  if (count >= INDEX_BITS) return Uint32Array.from({ length: count }, (_, i) => i).sort(compare)
  const shared = numeric ? 0 : sharedPrefix(keys)
  const numbers = new Float64Array(count)
  for (let i = 0; i < count; i++) numbers[i] = prefixOf(keys[i], shared, numeric) * INDEX_BITS + i
  numbers.sort()
  const order = new Uint32Array(count)
  for (let r = 0; r < count; r++) order[r] = numbers[r] % INDEX_BITS
  // runs of rows whose prefixes tie, put in order in full
  for (let from = 0; from < count; ) {
    const prefix = Math.floor(numbers[from] / INDEX_BITS)
    let to = from + 1
    while (to < count && Math.floor(numbers[to] / INDEX_BITS) === prefix) to++
    if (to - from > 1) order.subarray(from, to).sort(compare)
    from = to
  }
  return order
}

/**
 * 32 bits that never order two keys against their text: 4 characters from `from`, a byte each (a
 * key of digits: its length first). A character past 254 becomes 255 and ends the prefix (the
 * bytes after it 0), so that keys whose first such characters differ tie, and are compared in full.
 */
function prefixOf(key: string, from: number, numeric: boolean): number {
  let prefix = numeric ? Math.min(key.length, 255) : 0
  let open = !numeric || key.length < 255
  // a key of digits spent a byte on its length: three characters are left
  for (let c = 0; c < (numeric ? 3 : 4); c++) {
    const code = open ? key.charCodeAt(from + c) || 0 : 0
    if (code >= 255) open = false
    prefix = prefix * 256 + Math.min(code, 255)
  }
  return prefix
}

/** how many leading characters every key shares */
function sharedPrefix(keys: readonly string[]): number {
  const first = keys[0] ?? ''
  let shared = first.length
  for (let i = 1; i < keys.length && shared > 0; i++) {
    const key = keys[i]
    let c = 0
    while (c < shared && key.charCodeAt(c) === first.charCodeAt(c)) c++
    shared = c
  }
  return shared
}

// about 64 KB of lines per piece: one CopyData message each, made only when the COPY asks for it
const PIECE_BYTES = 64 * 1024

/**
 * The rows' COPY lines, each followed by its own last value (the stage's row number, or the run
 * id), as ~64 KB buffers: the encoded bytes are copied, never encoded again.
 */
export function* withLastValue(rows: StagedRows, last: (i: number) => string | number | null): Generator<Uint8Array<ArrayBuffer>> {
  let piece = Buffer.allocUnsafe(PIECE_BYTES)
  let used = 0
  for (let i = 0; i < rows.count; i++) {
    const value = last(i)
    const end = `\t${value === null ? '\\N' : value}\n`
    // the end is ASCII: one byte per character
    const size = rows.lineBytes(i) + end.length
    if (used + size > PIECE_BYTES && used > 0) {
      yield piece.subarray(0, used)
      piece = Buffer.allocUnsafe(PIECE_BYTES)
      used = 0
    }
    if (size > PIECE_BYTES) {
      yield Buffer.concat([rows.line(i), Buffer.from(end, 'latin1')])
      continue
    }
    used = rows.copyLine(i, piece, used)
    used += piece.write(end, used, 'latin1')
  }
  if (used > 0) yield piece.subarray(0, used)
}
