import { describe, expect, it } from 'vitest'
import { fieldText, readCsvBlocks } from './athena-csv.ts'

/** The records of a CSV byte stream, each an array of its values (the header is the first), block by block. */
async function* readAthenaCsv(chunks: AsyncIterable<Buffer | string>, blockBytes?: number): AsyncGenerator<(string | null)[][]> {
  for await (const block of readCsvBlocks(chunks, blockBytes)) {
    const records: (string | null)[][] = []
    for (let r = 0; r < block.count; r++) {
      const fields: (string | null)[] = []
      for (let f = block.first[r]; f < block.first[r + 1]; f++) fields.push(fieldText(block, f))
      records.push(fields)
    }
    yield records
  }
}

async function read(...chunks: string[]) {
  const rows: (string | null)[][] = []
  async function* source() {
    for (const c of chunks) yield Buffer.from(c)
  }
  for await (const batch of readAthenaCsv(source())) rows.push(...batch)
  return rows
}

describe('readCsvBlocks', () => {
  it('keeps NULL (empty, unquoted) apart from "" (empty, quoted)', async () => {
    expect(await read('"k1","k2","k3"\n"r1_v1","r1_v2","1"\n"r3_v1","r3_v2",\n')).toEqual([
      ['k1', 'k2', 'k3'],
      ['r1_v1', 'r1_v2', '1'],
      ['r3_v1', 'r3_v2', null],
    ])
    expect(await read('"a","b"\n"",\n,""\n')).toEqual([['a', 'b'], ['', null], [null, '']])
  })

  it('reads doubled quotes, commas and newlines inside values', async () => {
    expect(await read('"x","y"\n"O""Brien, Jr.","line one\nline two"\n')).toEqual([
      ['x', 'y'],
      ['O"Brien, Jr.', 'line one\nline two'],
    ])
  })

  it('gives the same rows whatever the chunk boundaries, including inside a quote pair or a UTF-8 character', async () => {
    const text = '"id","name","note"\n"1","Zoë ""Z""",\n"2","Nguyễn 😀","a,b\nc"\n"3",,""\n'
    const whole = await read(text)
    const bytes = Buffer.from(text)
    for (let cut = 1; cut < bytes.length; cut++) {
      const rows: (string | null)[][] = []
      async function* source() {
        yield bytes.subarray(0, cut)
        yield bytes.subarray(cut)
      }
      // blocks of one byte: every chunk is scanned as it comes, so the cut falls inside a block
      for await (const batch of readAthenaCsv(source(), 1)) rows.push(...batch)
      expect(rows, `cut at byte ${cut}`).toEqual(whole)
    }
  })

  it('accepts CRLF line ends and a last line without one', async () => {
    expect(await read('"a","b"\r\n"1","2"\r\n"3",')).toEqual([['a', 'b'], ['1', '2'], ['3', null]])
  })

  it('refuses a file that ends inside a quoted value', async () => {
    await expect(read('"a"\n"unterminated')).rejects.toThrow(/ends inside a record/)
  })
})
