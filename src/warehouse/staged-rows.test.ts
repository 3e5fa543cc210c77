import { describe, expect, it } from 'vitest'
import { createStagedRows, inKeyOrder, withLastValue } from './staged-rows.ts'

const text = (pieces: Iterable<Uint8Array>) => Buffer.concat([...pieces]).toString('utf8')

describe('staged rows', () => {
  it('keeps the last version of a key, once', () => {
    const staged = createStagedRows()
    staged.add('a', false, 'a\tv1')
    staged.add('b', true, 'b\tgone')
    staged.add('a', false, 'a\tv2')
    const rows = staged.done()
    expect(rows.count).toBe(2)
    expect(rows.keys).toEqual(['a', 'b'])
    expect(rows.deletedCount).toBe(1)
    expect(text(withLastValue(rows, (i) => i))).toBe('a\tv2\t0\nb\tgone\t1\n')
    expect(text(withLastValue(rows, () => null))).toBe('a\tv2\t\\N\nb\tgone\t\\N\n')
  })

  it('gives its rows in key order, each with its own line and deleted flag, keys of digits as numbers', () => {
    const staged = createStagedRows()
    for (const key of ['q', 'B', 'a', 'b\u001f2', 'b\u001f10', 'Z']) staged.add(key, key === 'a', `${key}\tline of ${key}`)
    staged.add('q', false, 'q\tnewer line of q')
    const rows = staged.done()
    expect(rows.keys).toEqual(['B', 'Z', 'a', 'b\u001f10', 'b\u001f2', 'q'])
    expect(rows.keys.map((_, i) => rows.line(i).toString('utf8'))).toEqual(['B\tline of B', 'Z\tline of Z', 'a\tline of a', 'b\u001f10\tline of b\u001f10', 'b\u001f2\tline of b\u001f2', 'q\tnewer line of q'])
    expect(rows.deletedCount).toBe(1)
    expect(text(withLastValue(rows, (i) => i)).split('\n')[2]).toBe('a\tline of a\t2')

    const numbers = createStagedRows()
    for (const key of ['100', '9', '20', '3']) numbers.add(key, false, key)
    expect(numbers.done().keys).toEqual(['3', '9', '20', '100'])
  })

  it('a key that comes back deleted is counted once, as deleted', () => {
    const staged = createStagedRows()
    staged.add('a', false, 'a\tlive')
    staged.add('a', true, 'a\tgone')
    expect(staged.done().deletedCount).toBe(1)
  })

  it('encodes many rows, non-Latin-1 text and rows longer than a chunk exactly', () => {
    const staged = createStagedRows()
    const lines: string[] = []
    for (let i = 0; i < 5000; i++) {
      // one row of 100,000 characters (300 KB as UTF-8) among short ones with Ł, ễ and an emoji
      // keys padded so that key order is the order they are added in
      const key = `k${String(i).padStart(4, '0')}`
      const line = i === 1234 ? `${key}\t${'ễ'.repeat(100_000)}` : `${key}\tŁukasz Nguyễn 🙂 ${i}`
      lines.push(`${line}\t${i}\n`)
      staged.add(key, false, line)
    }
    const rows = staged.done()
    const pieces = [...withLastValue(rows, (i) => i)]
    expect(Buffer.concat(pieces).toString('utf8')).toBe(lines.join(''))
    // pieces stay near 64 KB, except the one holding the long row
    expect(pieces.filter((p) => p.length > 64 * 1024)).toHaveLength(1)
    expect(rows.line(1234).toString('utf8')).toBe(`k1234\t${'ễ'.repeat(100_000)}`)
  })

  it("a committed batch's memory is filled again by the next batch, which reads back its own rows only", () => {
    const first = createStagedRows()
    for (let i = 0; i < 2000; i++) first.add(`a${i}`, false, `a${i}\t${'x'.repeat(100)}`)
    const committed = first.done()
    const used = new Set(Array.from({ length: committed.count }, (_, i) => committed.line(i).buffer))
    committed.release()

    const second = createStagedRows()
    const lines: string[] = []
    for (let i = 0; i < 2000; i++) {
      const key = `b${String(i).padStart(4, '0')}`
      const line = `${key}\tŁukasz ${i}`
      lines.push(`${line}\t${i}\n`)
      second.add(key, false, line)
    }
    const rows = second.done()
    // the same buffers, not new ones: released memory never waits for a full collection
    expect(used.has(rows.line(0).buffer)).toBe(true)
    expect(Buffer.concat([...withLastValue(rows, (i) => i)]).toString('utf8')).toBe(lines.join(''))
  })

  it('orders any keys exactly as their text (or, all digits, their number), keeping the last row of a key', () => {
    // seeded: keys sharing long prefixes, ties in the first characters, characters past a byte, short keys, repeats
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const pick = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')
    const sets = [
      Array.from({ length: 3000 }, () => pick('ab', 1 + Math.floor(random() * 8))),
      Array.from({ length: 3000 }, () => `CUST-${pick('0123456789', 6)}`),
      Array.from({ length: 3000 }, () => pick('aÿĀŁễ🙂z\u001f', 1 + Math.floor(random() * 6))),
      Array.from({ length: 3000 }, () => pick('0123456789', 1 + Math.floor(random() * 12))),
      // numbers longer than a byte can count, among short ones
      Array.from({ length: 500 }, () => pick('0123456789', random() < 0.5 ? 3 : 253 + Math.floor(random() * 5))),
    ]
    for (const keys of sets) {
      const spans = Uint32Array.from({ length: 4 * keys.length }, (_, j) => (j % 4 === 1 ? Math.floor(j / 4) : 0))
      const result = inKeyOrder(keys, spans)
      const numeric = keys.every((k) => /^[0-9]+$/.test(k))
      const expected = [...new Set(keys)].sort((x, y) => (numeric && x.length !== y.length ? x.length - y.length : x < y ? -1 : x > y ? 1 : 0))
      expect(result.keys).toEqual(expected)
      // each key's row is the last one added for it
      result.keys.forEach((key, r) => expect(result.spans[4 * r + 1]).toBe(keys.lastIndexOf(key)))
    }
  })

  it('orders a batch of more rows than its packed sort numbers can index, with the comparator alone', () => {
    // 2^20 rows and more fall back to sorting the indices by comparator; no real batch is this large
    const count = 2 ** 20 + 3
    const keys = Array.from({ length: count }, (_, i) => `k${(i * 7919) % count}`)
    keys.push('k5')
    const result = inKeyOrder(keys, new Uint32Array(4 * keys.length).map((_, j) => (j % 4 === 1 ? Math.floor(j / 4) : 0)))
    expect(result.keys).toHaveLength(count)
    for (let r = 1; r < count; r++) if (!(result.keys[r - 1] < result.keys[r])) expect.fail(`out of order at ${r}`)
    // the key added twice keeps its last row
    expect(result.spans[4 * result.keys.indexOf('k5') + 1]).toBe(count)
  })
})
